package org.obpf.api.registry;

import java.util.Objects;
import org.obpf.api.prog.ProgramType;

/**
 * How {@code prog load} loads.
 *
 * @param program  the one program of an object to load, or null for every program of it
 * @param type     the program type, or null for the one the ELF section implies
 * @param engine   {@link BpfSystem#AUTO} (the host's JIT back-end when installed, else the
 *                 interpreter; recompiled when a back-end arrives), {@link BpfSystem#INTERPRETER},
 *                 or a {@code bpf.arch} whose back-end must be installed now
 * @param logLevel the verifier's log level (0, 1, 2) kept for {@code verify}
 * @param device   the offload device ({@code bpf.offload.dev}) the programs and their maps are
 *                 bound to, as the kernel's {@code prog_ifindex}/{@code map_ifindex}; null for the host
 */
public record LoadOptions(String program, ProgramType type, String engine, int logLevel, String device) {
    public static final LoadOptions DEFAULT = new LoadOptions(null, null, BpfSystem.AUTO, 0, null);

    public LoadOptions {
        Objects.requireNonNull(engine, "engine");
        if (logLevel < 0 || logLevel > 2) throw new IllegalArgumentException("log level must be 0, 1 or 2: " + logLevel);
    }

    /** Loading on the host. */
    public LoadOptions(String program, ProgramType type, String engine, int logLevel) {
        this(program, type, engine, logLevel, null);
    }

    public LoadOptions withProgram(String name) {
        return new LoadOptions(name, type, engine, logLevel, device);
    }

    public LoadOptions withType(ProgramType t) {
        return new LoadOptions(program, t, engine, logLevel, device);
    }

    public LoadOptions withEngine(String e) {
        return new LoadOptions(program, type, e, logLevel, device);
    }

    /** Bound to offload device {@code dev} (null: the host). */
    public LoadOptions withDevice(String dev) {
        return new LoadOptions(program, type, engine, logLevel, dev);
    }
}
