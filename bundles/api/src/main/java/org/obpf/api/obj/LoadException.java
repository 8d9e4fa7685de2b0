package org.obpf.api.obj;

import java.util.Optional;
import java.util.OptionalInt;

import org.obpf.api.BpfException;
import org.obpf.api.Errno;

/**
 * An object file that cannot be loaded: malformed ({@link Errno#EINVAL}) or using a feature
 * the loader does not support ({@link Errno#ENOTSUPP}). The message names the object, and the
 * section and instruction (slot index within the section) where there is one:
 * {@code "prog.o: section 'xdp' instruction 12: kfunc call to 'bpf_obj_new_impl' is not supported"}.
 */
public class LoadException extends BpfException {
    private static final long serialVersionUID = 1L;
    private final String section;
    private final int instruction;

    /** A problem with the file as a whole (header, section table). */
    public LoadException(Errno errno, String object, String problem) {
        this(errno, object, null, -1, problem);
    }

    /**
     * @param section     the ELF section the problem is in, or null
     * @param instruction the instruction slot within that section, or -1
     */
    public LoadException(Errno errno, String object, String section, int instruction, String problem) {
        super(errno, message(object, section, instruction, problem));
        this.section = section;
        this.instruction = instruction;
    }

    private static String message(String object, String section, int instruction, String problem) {
        StringBuilder sb = new StringBuilder();
        if (object != null && !object.isEmpty()) sb.append(object).append(": ");
        if (section != null) sb.append("section '").append(section).append("' ");
        if (instruction >= 0) sb.append("instruction ").append(instruction).append(' ');
        if (section != null || instruction >= 0) sb.setCharAt(sb.length() - 1, ':');
        if (section != null || instruction >= 0) sb.append(' ');
        return sb.append(problem).toString();
    }

    /** The ELF section the problem is in. */
    public Optional<String> section() {
        return Optional.ofNullable(section);
    }

    /** The instruction slot index within {@link #section()}. */
    public OptionalInt instruction() {
        return instruction < 0 ? OptionalInt.empty() : OptionalInt.of(instruction);
    }
}
