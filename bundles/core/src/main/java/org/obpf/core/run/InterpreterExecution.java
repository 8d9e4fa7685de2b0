package org.obpf.core.run;

import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;
import org.obpf.core.prelink.Prelinked;

/** The interpreter as an {@link ExecutionEngine}: one {@link Interpreter} per thread. */
public final class InterpreterExecution implements ExecutionEngine {
    public static final String NAME = "interp";

    private static final ThreadLocal<Interpreter> VM = ThreadLocal.withInitial(Interpreter::new);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Executable prepare(Prelinked prelinked) throws BpfException {
        Program program = prelinked.toInterpreter();
        return (ctx, r2, regions) -> run(program, ctx, r2, regions);
    }

    private static long run(Program program, long ctx, long r2, List<Region> regions) throws BpfException {
        Interpreter vm = VM.get();
        vm.clearAllowed();
        try {
            for (Region r : regions) vm.allow(r.memory(), r.writable());
            return vm.run(program, ctx, r2, 0, 0, 0, null, false);
        } finally {
            vm.clearAllowed();
        }
    }
}
