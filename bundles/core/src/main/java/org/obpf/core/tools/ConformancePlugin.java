package org.obpf.core.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.obpf.api.BpfException;
import org.obpf.core.conformance.Engine;
import org.obpf.core.conformance.Hex;
import org.obpf.core.conformance.InterpreterEngine;
import org.obpf.core.exec.HostJitEngine;
import org.obpf.core.exec.QemuEngine;

/**
 * The plugin side of bpf_conformance's protocol: the program arrives on standard input as base16,
 * the memory as the first argument that is not an option; r0 goes to standard output in hex.
 * Runs without an OSGi framework: only api, core and slf4j need to be on the class path; with a
 * host back-end's bundle jar there too ({@code jit-x86_64}), {@code --engine x86_64} runs its JIT; with
 * {@code jit-riscv} and the RISC-V cross tools, {@code --engine riscv64} and {@code riscv32} run under QEMU.
 *
 * <pre>
 * conformance-plugin [--engine NAME] [MEMORY] &lt; PROGRAM
 * </pre>
 *
 * Exit status: 0 with r0 printed; 1 if the program is refused or its run fails; 2 for a usage
 * error. Reasons go to standard error, one line, no stack trace.
 */
public final class ConformancePlugin {
    private ConformancePlugin() {}

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /**
     * The engines {@code --engine} can name: the interpreter, one per host JIT back-end on the
     * class path ({@link HostJitEngine#discover}: found through {@code ServiceLoader}), and one per
     * back-end for another processor that QEMU runs ({@link QemuEngine#discover}: {@code riscv64},
     * {@code riscv32} when the jit-riscv jar and the cross tools are there).
     */
    static Map<String, Supplier<Engine>> engines() {
        Map<String, Supplier<Engine>> m = new TreeMap<>();
        m.put(InterpreterEngine.NAME, InterpreterEngine::new);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ClassLoader l = loader != null ? loader : ConformancePlugin.class.getClassLoader();
        HostJitEngine.discover(l).forEach(m::putIfAbsent);
        QemuEngine.discover(l).forEach(m::putIfAbsent);
        org.obpf.core.offload.DeviceEngine.discover(l).forEach(m::putIfAbsent); // offload devices: rfpc
        return m;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** {@link #main} without {@code System.exit}: returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String engineName = InterpreterEngine.NAME;
        String memoryArg = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--engine")) {
                if (i + 1 == args.length) return usage(err, "--engine needs a value");
                engineName = args[++i];
            } else if (a.startsWith("--engine=")) {
                engineName = a.substring("--engine=".length());
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println("usage: conformance-plugin [--engine NAME] [MEMORY] < PROGRAM");
                out.println("  PROGRAM, MEMORY: base16 bytes, white space ignored; engines: " + String.join(", ", engines().keySet()));
                return EXIT_OK;
            } else if (a.startsWith("--")) {
                return usage(err, "unknown option " + a);
            } else if (memoryArg == null) {
                memoryArg = a;
            }
            // Further words are plugin options this plugin does not use.
        }
        Supplier<Engine> factory = engines().get(engineName);
        if (factory == null) {
            return usage(err, "unknown engine '" + engineName + "'; engines: " + String.join(", ", engines().keySet()));
        }
        long[] program;
        byte[] memory;
        try {
            program = Hex.words(Hex.bytes(new String(in.readAllBytes(), StandardCharsets.US_ASCII)));
            memory = memoryArg == null ? new byte[0] : Hex.bytes(memoryArg);
        } catch (IOException e) {
            err.println("conformance-plugin: cannot read the program: " + e.getMessage());
            return EXIT_FAILED;
        } catch (IllegalArgumentException e) {
            err.println("conformance-plugin: bad input: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (program.length == 0) {
            err.println("conformance-plugin: no program on standard input");
            return EXIT_USAGE;
        }
        try {
            long r0 = factory.get().run(program, memory);
            out.println(Long.toHexString(r0));
            out.flush();
            return EXIT_OK;
        } catch (BpfException e) {
            err.println("conformance-plugin: " + engineName + ": " + e.getMessage());
            return EXIT_FAILED;
        } catch (RuntimeException e) {
            err.println("conformance-plugin: " + engineName + ": " + e);
            return EXIT_FAILED;
        }
    }

    private static int usage(PrintStream err, String message) {
        err.println("conformance-plugin: " + message);
        err.println("usage: conformance-plugin [--engine NAME] [MEMORY] < PROGRAM");
        return EXIT_USAGE;
    }
}
