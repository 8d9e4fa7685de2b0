package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.obpf.launcher.Launcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A back-end bundle installed into a running framework appears in the JIT dispatcher under its
 * {@code bpf.arch}, compiles and links through it, and disappears when uninstalled, while the
 * framework keeps running.
 */
class BackendHotSwapTest {
    private Launcher.Running fw;
    private BundleContext ctx;
    private Object registry;

    @BeforeEach
    void start() throws Exception {
        assertTrue(Files.isRegularFile(Osgi.EXAMPLE_BUNDLE), "example back-end not built: " + Osgi.EXAMPLE_BUNDLE);
        fw = Osgi.start("all");
        ctx = fw.framework().getBundleContext();
        registry = Osgi.service(ctx, "org.obpf.api.jit.JitRegistry");
        assertNotNull(registry, "the JIT dispatcher is not registered");
    }

    @AfterEach
    void stop() throws InterruptedException {
        fw.close();
    }

    private Set<?> archs() {
        try {
            return (Set<?>) Osgi.call(registry, "archs");
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Test
    void backendComesAndGoesWhileTheFrameworkRuns() throws Throwable {
        assertEquals(Set.of("x86_64", "riscv64", "riscv32", "nfp"), archs(), "the 'all' feature brings the x86-64, RISC-V and NFP back-ends");
        for (int round = 0; round < 3; round++) {
            Bundle b = ctx.installBundle(Osgi.EXAMPLE_BUNDLE.toUri().toString());
            b.start();
            assertTrue(Osgi.await(() -> archs().contains("bpf")), "back-end did not arrive, archs " + archs());
            Object info = ((List<?>) Osgi.call(registry, "backends")).get(0); // sorted by arch: bpf first
            assertEquals("org.obpf.jit.bpf", Osgi.call(info, "bundle"));
            assertEquals(false, Osgi.call(info, "needsZext"));

            compileAndLinkThroughTheRegistry();

            b.uninstall();
            assertTrue(Osgi.await(() -> archs().equals(Set.of("x86_64", "riscv64", "riscv32", "nfp"))), "back-end did not depart, archs " + archs());
            assertEquals(Bundle.ACTIVE, fw.framework().getState());
            Throwable missing = assertThrows(Throwable.class, () -> Osgi.call(registry, "backend", "bpf"));
            assertEquals("no JIT back-end for arch 'bpf' is installed (installed: nfp, riscv32, riscv64, x86_64); "
                    + "install its feature or bundle, e.g. feature:install obpf-jit-bpf", missing.getMessage());
        }
    }

    /** r0 = map#0 (lddw src 5); exit - compiled and linked at 0x10000 with map#0 at 0x1122334455667788. */
    private void compileAndLinkThroughTheRegistry() throws Throwable {
        Bundle api = Osgi.bundle(ctx, "org.obpf.api");
        Class<?> requestClass = api.loadClass("org.obpf.api.jit.CompileRequest");
        Class<?> typeClass = api.loadClass("org.obpf.api.prog.ProgramType");
        Class<?> symbolClass = api.loadClass("org.obpf.api.jit.Symbol");
        Class<?> tableClass = api.loadClass("org.obpf.api.jit.SymbolTable");
        Object xdp = typeClass.getMethod("valueOf", String.class).invoke(null, "XDP");
        // lddw r0, map#0: code 0x18, src BPF_PSEUDO_MAP_IDX (5) in the register byte, imm 0; then exit (0x95)
        long[] prog = {0x5018L, 0, 0x95};
        Object request = requestClass.getMethod("of", String.class, typeClass, long[].class).invoke(null, "t", xdp, prog);
        Object backend = Osgi.call(registry, "backend", "bpf");
        Object image = Osgi.call(backend, "compile", request);
        assertEquals(1, ((List<?>) Osgi.call(image, "relocations")).size());
        Object builder = tableClass.getMethod("at", long.class).invoke(null, 0x10000L);
        Object map0 = symbolClass.getMethod("map", int.class).invoke(null, 0);
        builder = builder.getClass().getMethod("bind", symbolClass, long.class).invoke(builder, map0, 0x1122334455667788L);
        Object table = builder.getClass().getMethod("build").invoke(builder);
        Object linked = Osgi.call(backend, "link", image, table);
        byte[] code = (byte[]) Osgi.call(linked, "code");
        assertEquals(24, code.length);
        assertEquals(0x55667788, java.nio.ByteBuffer.wrap(code, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(0x11223344, java.nio.ByteBuffer.wrap(code, 12, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(0x10000L, Osgi.call(linked, "entryAddress"));
    }
}
