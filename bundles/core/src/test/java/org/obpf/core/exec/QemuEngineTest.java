package org.obpf.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.jit.code.ObjectWriter;
import org.junit.jupiter.api.Test;

/**
 * QemuEngine's checks that need no QEMU (running code under QEMU is tested in jit-riscv, which
 * has the back-ends): arches without a QEMU target and mismatched object writers are refused with
 * a message naming them, and the tools are named when asked for an arch.
 */
class QemuEngineTest {
    record Backend(String arch) implements JitBackend {
        public boolean needsZext() { return false; }
        public Capabilities capabilities() { return Capabilities.everything(); }
        public RelocatableImage compile(CompileRequest r) { throw new UnsupportedOperationException(); }
        public LinkedImage link(RelocatableImage i, SymbolTable s) { throw new UnsupportedOperationException(); }
    }

    record Writer(String arch) implements ObjectWriter {
        public byte[] write(RelocatableImage image, String entryName) { return new byte[0]; }
    }

    @Test
    void archWithoutAQemuTargetIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QemuEngine(new Backend("vax"), new Writer("vax"), null));
        assertEquals("no QEMU target for arch vax; known: [riscv32, riscv64]",
                e.getMessage().replace("[riscv64, riscv32]", "[riscv32, riscv64]"));
    }

    @Test
    void objectWriterOfAnotherArchIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QemuEngine(new Backend("riscv64"), new Writer("riscv32"), null));
        assertEquals("object writer for riscv32 given with back-end riscv64", e.getMessage());
    }

    @Test
    void missingToolsAreNamedForUnknownArches() {
        assertEquals(List.of("a QEMU target for vax"), QemuEngine.missingTools("vax"));
    }
}
