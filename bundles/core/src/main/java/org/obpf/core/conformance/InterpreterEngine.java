package org.obpf.core.conformance;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.obpf.api.BpfException;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;

/** The interpreter as a conformance engine, with the built-in helpers. Not thread-safe. */
public final class InterpreterEngine implements Engine {
    public static final String NAME = "interp";

    private final HelperTable helpers;
    private final Interpreter interpreter = new Interpreter();

    public InterpreterEngine() {
        this(HelperTable.builtins());
    }

    public InterpreterEngine(HelperTable helpers) {
        this.helpers = helpers;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long run(long[] program, byte[] memory) throws BpfException {
        Program p = Program.load(program, helpers);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = null;
            if (memory != null && memory.length > 0) {
                mem = arena.allocate(memory.length, 8);
                MemorySegment.copy(memory, 0, mem, ValueLayout.JAVA_BYTE, 0, memory.length);
            }
            return interpreter.run(p, mem);
        }
    }
}
