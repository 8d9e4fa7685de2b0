package org.obpf.core.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.obpf.api.jit.BackendInfo;
import org.obpf.api.jit.NoSuchBackendException;
import org.junit.jupiter.api.Test;

class JitDispatcherTest {
    private final JitDispatcher d = new JitDispatcher();

    @Test
    void backendsAreKeyedByArch() throws NoSuchBackendException {
        TestBackend x86 = new TestBackend("x86_64");
        TestBackend rv = TestBackend.small("riscv32");
        assertTrue(d.add(x86, "x86_64", 10, null, "b.x86", "1.0.0"));
        assertTrue(d.add(rv, "riscv32", 11, null, "b.rv", "1.0.0"));
        assertSame(x86, d.backend("x86_64"));
        assertSame(rv, d.backend("riscv32"));
        assertEquals(Set.of("riscv32", "x86_64"), d.archs());
        assertEquals(List.of("riscv32", "x86_64"), d.backends().stream().map(BackendInfo::arch).toList());
        BackendInfo rvInfo = d.backends().get(0);
        assertEquals("b.rv", rvInfo.bundle());
        assertTrue(rvInfo.needsZext());
    }

    @Test
    void missingArchNamesTheInstalledOnes() {
        d.add(new TestBackend("x86_64"), "x86_64", 1, null, "b", "1");
        d.add(new TestBackend("nfp"), "nfp", 2, null, "b", "1");
        NoSuchBackendException e = assertThrows(NoSuchBackendException.class, () -> d.backend("riscv64"));
        assertEquals("no JIT back-end for arch 'riscv64' is installed (installed: nfp, x86_64); "
                + "install its feature or bundle, e.g. feature:install obpf-jit-riscv64", e.getMessage());
        assertEquals(List.of("nfp", "x86_64"), e.installed());
    }

    @Test
    void noneInstalledSaysSo() {
        NoSuchBackendException e = assertThrows(NoSuchBackendException.class, () -> d.backend("x86_64"));
        assertTrue(e.getMessage().contains("(none is installed)"), e.getMessage());
    }

    @Test
    void highestRankingWinsThenOldest() throws NoSuchBackendException {
        TestBackend a = new TestBackend("riscv64");
        TestBackend b = new TestBackend("riscv64");
        TestBackend c = new TestBackend("riscv64");
        d.add(a, "riscv64", 5, null, "a", "1");
        d.add(b, "riscv64", 6, 10, "b", "1");
        d.add(c, "riscv64", 7, 10, "c", "1");
        assertSame(b, d.backend("riscv64"));
        d.remove(6);
        assertSame(c, d.backend("riscv64"));
        d.remove(7);
        assertSame(a, d.backend("riscv64"));
        d.remove(5);
        assertFalse(d.find("riscv64").isPresent());
        assertTrue(d.archs().isEmpty());
    }

    @Test
    void serviceWithoutArchOrWithWrongArchIsIgnored() {
        assertFalse(d.add(new TestBackend("x86_64"), null, 1, null, "b", "1"));
        assertFalse(d.add(new TestBackend("x86_64"), 42, 2, null, "b", "1"));
        assertFalse(d.add(new TestBackend("x86_64"), "riscv64", 3, null, "b", "1"));
        assertTrue(d.backends().isEmpty());
    }

    @Test
    void removingAnUnknownServiceChangesNothing() {
        d.add(new TestBackend("x86_64"), "x86_64", 1, null, "b", "1");
        d.remove(99);
        assertEquals(1, d.backends().size());
    }
}
