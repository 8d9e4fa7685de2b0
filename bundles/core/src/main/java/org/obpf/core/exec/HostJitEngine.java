package org.obpf.core.exec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.obpf.api.BpfException;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.conformance.Engine;
import org.obpf.core.helper.HelperTable;

/**
 * Any host back-end as a conformance {@link Engine}: compile, link at the address of freshly
 * mapped executable memory, run in-process with the test's memory (r1 = its address, r2 = its
 * length), unload. The engine's name is the back-end's arch. Not thread-safe.
 */
public final class HostJitEngine implements Engine {
    private final JitBackend backend;
    private final CompileOptions options;
    private final HelperStubs helpers;

    public HostJitEngine(JitBackend backend, CompileOptions options, HelperTable helpers) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.options = options == null ? CompileOptions.DEFAULT : options;
        this.helpers = new HelperStubs(helpers);
        if (!backend.arch().equals(hostArch())) {
            throw new IllegalArgumentException("back-end " + backend.arch() + " does not generate code for this host (" + hostArch() + ")");
        }
    }

    /** The back-end with the built-in helpers and default options. */
    public HostJitEngine(JitBackend backend) {
        this(backend, CompileOptions.DEFAULT, HelperTable.builtins());
    }

    @Override
    public String name() {
        return backend.arch();
    }

    public CompileOptions options() {
        return options;
    }

    @Override
    public long run(long[] program, byte[] memory) throws BpfException {
        CompileRequest req = new CompileRequest("conformance", ProgramType.SOCKET_FILTER, program, null, null, false, options);
        try (JitProgram p = JitProgram.load(backend, req, helpers, Map.of(), null);
             Arena arena = Arena.ofConfined()) {
            MemorySegment mem = null;
            if (memory != null && memory.length > 0) {
                mem = arena.allocate(memory.length, 8);
                MemorySegment.copy(memory, 0, mem, ValueLayout.JAVA_BYTE, 0, memory.length);
            }
            return p.run(mem);
        }
    }

    /** The {@code bpf.arch} name of the processor this JVM runs on ({@code x86_64}, {@code arm64}, {@code riscv64}). */
    public static String hostArch() {
        String a = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    /**
     * Engines for the host back-ends found with {@link ServiceLoader} ({@code
     * META-INF/services/org.obpf.api.jit.JitBackend} in the back-end bundles' jars), by arch:
     * how tools without a framework ({@code ConformancePlugin --engine x86_64}) find them. Only
     * back-ends whose arch is this host's are engines; programs run in sandbox mode because
     * nothing verified them.
     */
    public static Map<String, Supplier<Engine>> discover(ClassLoader loader) {
        Map<String, Supplier<Engine>> m = new TreeMap<>();
        String host = hostArch();
        for (var provider : ServiceLoader.load(JitBackend.class, loader).stream().toList()) {
            JitBackend b;
            try {
                b = provider.get();
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                continue;
            }
            if (b.arch().equals(host)) {
                m.putIfAbsent(b.arch(), () -> new HostJitEngine(b, CompileOptions.DEFAULT.withSandbox(true), HelperTable.builtins()));
            }
        }
        return m;
    }
}
