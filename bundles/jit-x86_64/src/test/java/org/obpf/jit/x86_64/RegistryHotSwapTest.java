package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.obpf.api.insn.Insn;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.api.registry.BpfSystem;
import org.obpf.api.registry.LoadOptions;
import org.obpf.api.registry.ProgramInfo;
import org.obpf.core.registry.Registry;

/**
 * Core's registry with this back-end coming and going while four threads run a program it
 * compiled (the framework-free twin of the itests' stress test): no run fails, the program
 * goes to the interpreter while the back-end is away and is compiled again on its return.
 */
@EnabledOnOs(architectures = {"amd64", "x86_64"})
class RegistryHotSwapTest {
    /** r0 = packet length (data_end - data) + 1000: both engines give 1064 for 64 bytes. */
    static final long[] PROG = {
            Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 4, 0), // r2 = ctx->data_end
            Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0), // r3 = ctx->data
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 0, 0),
            Insn.encode(BPF_ALU64 | BPF_SUB | BPF_X, 0, 3, 0, 0),
            Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1000),
            Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};

    @Test
    void backendLeavesAndReturnsUnderLoad() throws Exception {
        Registry r = new Registry();
        long service = 100;
        r.addBackend(new X86_64JitBackend(), "x86_64", service, 0);
        ProgramInfo p = r.loadRaw("len", ProgramType.XDP, PROG, List.of(), LoadOptions.DEFAULT);
        assertEquals("x86_64", p.engine());
        assertEquals("jited", p.state());
        assertTrue(p.jitedBytes() > 0);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong runs = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                TestRun.Request req = TestRun.Request.of(new byte[64]);
                while (!stop.get()) {
                    try {
                        long ret = r.testRun(p.id(), req).retval();
                        if (ret != 1064) failures.add("retval " + ret);
                        runs.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e.toString());
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        int cycles = 200;
        int interpreted = 0;
        for (int i = 0; i < cycles; i++) {
            r.removeBackend(service);
            if (r.program(p.id()).engine().equals(BpfSystem.INTERPRETER)) interpreted++;
            Thread.sleep(1);
            r.addBackend(new X86_64JitBackend(), "x86_64", ++service, 0);
            Thread.sleep(1);
        }
        stop.set(true);
        for (Thread th : threads) th.join();
        System.out.println("registry hot swap: " + cycles + " cycles, " + runs.get() + " runs, " + failures.size() + " failures");
        assertEquals(List.of(), new ArrayList<>(failures).subList(0, Math.min(5, failures.size())));
        assertEquals(cycles, interpreted, "on the interpreter while the back-end is away");
        ProgramInfo after = r.program(p.id());
        assertEquals("x86_64", after.engine());
        assertEquals(cycles + 1, after.compiles());
        assertEquals(runs.get(), after.runs());
        assertTrue(runs.get() > cycles, "runs " + runs.get());
    }

    @Test
    void withoutRecompileProgramsStayOnTheInterpreter() throws Exception {
        Registry r = new Registry(new org.obpf.core.helper.HelperRegistry(), noRecompile());
        r.addBackend(new X86_64JitBackend(), "x86_64", 1, 0);
        ProgramInfo p = r.loadRaw("len", ProgramType.XDP, PROG, List.of(), LoadOptions.DEFAULT);
        assertEquals("x86_64", p.engine());
        r.removeBackend(1);
        assertEquals("interpreted: back-end x86_64 departed", r.program(p.id()).state());
        r.addBackend(new X86_64JitBackend(), "x86_64", 2, 0);
        assertEquals(BpfSystem.INTERPRETER, r.program(p.id()).engine());
        assertEquals(1064, r.testRun(p.id(), TestRun.Request.of(new byte[64])).retval());
        assertEquals(1064, r.testRun(p.id(), "x86_64", TestRun.Request.of(new byte[64])).retval(), "compare still reaches it");
        assertTrue(r.codeSize(p.id(), "x86_64") > 0);
    }

    @Test
    void aSecondBackendOfTheArchTakesOver() throws Exception {
        Registry r = new Registry();
        r.addBackend(new X86_64JitBackend(), "x86_64", 1, 10);
        r.addBackend(new X86_64JitBackend(), "x86_64", 2, 0);
        ProgramInfo p = r.loadRaw("len", ProgramType.XDP, PROG, List.of(), LoadOptions.DEFAULT.withEngine("x86_64"));
        var before = r.jited(p.id());
        r.removeBackend(1);
        assertEquals("jited (moved from service 1)", r.program(p.id()).state());
        assertEquals("x86_64", r.jited(p.id()).arch());
        assertTrue(before.address() != r.jited(p.id()).address(), "new code");
        assertEquals(1064, r.testRun(p.id(), TestRun.Request.of(new byte[64])).retval());
    }

    private static Registry.Config noRecompile() {
        return new Registry.Config() {
            @Override
            public boolean recompile() {
                return false;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Registry.Config.class;
            }
        };
    }
}
