package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.ExecutionEngine;

/**
 * A run never sees the stack an earlier run on the same thread wrote: each run zeroes what its
 * programs may have written when it ends (sandbox mode lets unverified programs read stack they
 * never wrote, and must give the interpreter's results: zeroes).
 */
class X86StackTest {
    private final JitExecution jit = new JitExecution(new X86_64JitBackend(), CompileOptions.DEFAULT.withSandbox(true));

    private long run(String text) throws Exception {
        Prelinked p = Prelinker.prelink(X86CallbackTest.asm(text), ProgramType.FLAT, new MapTable()::get,
                HelperTable.builtins(ProgramType.FLAT), Prelinker.Options.DEFAULT);
        return jit.prepare(p).run(0, 0, List.of());
    }

    /** ORs the u64 words at r10-8, r10-300 and r10-512 (read directly, never written). */
    static final String READ_FRAME0 = """
            ldxdw %r0, [%r10-8]
            ldxdw %r1, [%r10-304]
            or %r0, %r1
            ldxdw %r1, [%r10-512]
            or %r0, %r1
            exit
            """;

    @Test
    void wordsWrittenThroughR10OrACopyOfItAreGoneForTheNextRun() throws Exception {
        String direct = "stdw [%r10-8], 0x11\nstdw [%r10-304], 0x22\nstdw [%r10-512], 0x44\nmov %r0, 1\nexit\n";
        assertEquals(1, run(direct));
        assertEquals(0, run(READ_FRAME0));
        String copy = "mov %r2, %r10\nadd %r2, -512\nstdw [%r2+208], 0x22\nstdw [%r2], 0x44\nstdw [%r2+504], 0x11\nmov %r0, 2\nexit\n";
        assertEquals(2, run(copy));
        assertEquals(0, run(READ_FRAME0));
    }

    /** Sandbox mode checks no r10-relative access inside the frame, and still refuses those outside it. */
    @Test
    void r10RelativeAccessesOutsideTheFrameAreRefused() throws Exception {
        assertEquals(0, run("ldxdw %r0, [%r10-512]\nexit\n"));
        for (String bad : List.of("ldxdw %r0, [%r10-516]", "ldxdw %r0, [%r10-4]", "stdw [%r10], 1", "stb [%r10-600], 1")) {
            org.obpf.core.interp.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.obpf.core.interp.ExecutionException.class, () -> run(bad + "\nmov %r0, 0\nexit\n"), bad);
            assertEquals(org.obpf.api.Errno.EFAULT, e.errno(), bad);
            assertEquals(0, e.insnIndex(), bad);
        }
    }

    @Test
    void framesOfSubProgramsAreGoneForTheNextRun() throws Exception {
        // main calls a sub-program (slot 3) that writes its own frame, one frame below main's
        String writer = "call local +2\nmov %r0, 3\nexit\nstdw [%r10-8], 0x55\nstdw [%r10-512], 0x66\nexit\n";
        String reader = "call local +2\nexit\nexit\nldxdw %r0, [%r10-8]\nldxdw %r1, [%r10-512]\nor %r0, %r1\nexit\n";
        assertEquals(3, run(writer));
        assertEquals(0, run(reader));
    }
}
