package org.obpf.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;

/**
 * The OBPF runtime's command line.
 *
 * <pre>
 * obpf                       the Gogo shell, every feature installed
 * obpf -c 'CMD; CMD'         run Gogo commands without a terminal; exit 1 if one fails
 * obpf FILE                  run a Gogo script file; exit 1 if a command fails
 * options: --features a,b    features to install (default: all)
 *          --cache DIR       framework storage (default: a new temporary directory, removed at exit)
 *          --log-level L     error, warn, info, debug, trace (default: info in the shell, warn otherwise)
 * </pre>
 */
public final class Main {
    private static final String USAGE = """
            usage: obpf [options]                 start the Gogo shell with every OBPF feature
                   obpf [options] -c 'COMMANDS'   run Gogo commands without a terminal
                   obpf [options] FILE            run a Gogo script
            options:
              --features NAME[,NAME...]  features to install (default: all)
              --cache DIR                framework storage (default: a temporary directory, removed at exit)
              --log-level LEVEL          error, warn, info, debug or trace
                                         (default: info in the shell, warn for -c and scripts)
              --dist DIR                 the distribution directory (default: the one this launcher is in)
            """;

    // The process's own streams, taken before Gogo's ThreadIO replaces System.out/err with streams
    // that dispatch to the current session: a session writing to those would write to itself.
    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        long t0 = System.nanoTime();
        List<String> features = List.of("all");
        Path cache = null;
        Path dist = null;
        String commands = null;
        Path script = null;
        String logLevel = null; // info in the shell; warn for commands, so scripts read only their errors
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        return 0;
                    }
                    case "-c" -> commands = value(args, ++i, a);
                    case "--features" -> features = List.of(value(args, ++i, a).split("\\s*,\\s*"));
                    case "--cache" -> cache = Path.of(value(args, ++i, a));
                    case "--dist" -> dist = Path.of(value(args, ++i, a));
                    case "--log-level" -> logLevel = value(args, ++i, a);
                    default -> {
                        if (a.startsWith("-") || script != null) {
                            System.err.println("obpf: unknown argument '" + a + "'\n" + USAGE);
                            return 2;
                        }
                        script = Path.of(a);
                    }
                }
            } catch (IllegalArgumentException e) {
                System.err.println("obpf: " + e.getMessage());
                return 2;
            }
        }
        if (commands != null && script != null) {
            System.err.println("obpf: give either -c COMMANDS or a script FILE, not both");
            return 2;
        }
        if (script != null) {
            try {
                commands = Files.readString(script, StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("obpf: cannot read script " + script + ": " + e.getMessage());
                return 2;
            }
        }
        boolean batch = commands != null;
        configureLogging(logLevel != null ? logLevel : batch ? "warn" : "info");
        if (batch) setDefault("org.jline.terminal.dumb", "true"); // no terminal wanted, so no warning about its absence
        try {
            if (dist == null) dist = ownDistribution();
            // gosh.home: where gosh finds etc/motd and etc/gosh_profile (see src/main/dist).
            Launcher.Running running = Launcher.start(dist, features, cache, Map.of(
                    "gosh.args", batch ? "--nointeractive" : "",
                    "gosh.home", dist.resolve(batch ? "shell-batch" : "shell").toString()));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(running), "obpf-shutdown"));
            if (batch) {
                int status = execute(running.framework().getBundleContext(), commands);
                stopQuietly(running);
                return status;
            }
            // Interactive: the Gogo JLine bundle runs the console; leaving it stops the framework.
            long jvmStart = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
            org.slf4j.LoggerFactory.getLogger(Main.class).info(
                    "OBPF started in {} ms ({} bundles; features {}); leave the shell with Ctrl-D",
                    jvmStart == 0 ? (System.nanoTime() - t0) / 1_000_000 : System.currentTimeMillis() - jvmStart,
                    running.framework().getBundleContext().getBundles().length, String.join(", ", features));
            running.framework().waitForStop(0);
            stopQuietly(running);
            return 0;
        } catch (IOException | BundleException | IllegalArgumentException | IllegalStateException e) {
            ERR.println("obpf: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static void configureLogging(String level) {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", level);
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    /** The distribution this launcher jar sits in: {@code DIST/lib/felix-launcher.jar}. */
    static Path ownDistribution() {
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where the launcher is; pass --dist DIR", e);
        }
    }

    /**
     * Runs Gogo commands in a session without a terminal. The Gogo runtime lives in a bundle, not
     * on the launcher's class path, so its service is used reflectively.
     */
    static int execute(BundleContext ctx, String commands) {
        Object processor;
        try {
            processor = waitForService(ctx, "org.apache.felix.service.command.CommandProcessor", 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        if (processor == null) {
            ERR.println("obpf: the Gogo command processor did not start (is the 'framework' feature installed?)");
            return 1;
        }
        PrintStream out = OUT;
        PrintStream err = ERR;
        try {
            Method create = processor.getClass().getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class);
            Object session = create.invoke(processor, InputStream.nullInputStream(), out, err);
            try {
                Method exec = session.getClass().getMethod("execute", CharSequence.class);
                Method format = session.getClass().getMethod("format", Object.class, int.class);
                for (String command : statements(commands)) {
                    Object result = exec.invoke(session, command);
                    if (result != null) {
                        out.println(format.invoke(session, result, 0)); // Converter.INSPECT
                    }
                    out.flush();
                }
            } finally {
                session.getClass().getMethod("close").invoke(session);
            }
            return 0;
        } catch (InvocationTargetException e) {
            err.println("obpf: " + reason(e));
            return 1;
        } catch (ReflectiveOperationException e) {
            err.println("obpf: this Gogo runtime is not supported: " + e);
            return 1;
        }
    }

    /**
     * Splits commands into the statements run one by one, so that each one's result is printed:
     * at a newline or {@code ;} outside quotes and outside any brace, bracket or parenthesis (Gogo
     * closures span lines). A backslash before a newline continues the line; blank statements and
     * {@code #} comment lines are dropped.
     */
    static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        boolean sq = false, dq = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '#' && depth == 0 && !sq && !dq && cur.toString().isBlank()) {
                while (i + 1 < text.length() && text.charAt(i + 1) != '\n') i++;
                continue;
            }
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(++i);
                if (n != '\n') cur.append(c).append(n);
                continue;
            }
            if (c == '\'' && !dq) sq = !sq;
            else if (c == '"' && !sq) dq = !dq;
            else if (!sq && !dq) {
                if (c == '{' || c == '(' || c == '[') depth++;
                else if (c == '}' || c == ')' || c == ']') depth--;
                else if ((c == '\n' || c == ';') && depth <= 0) {
                    add(out, cur);
                    continue;
                }
            }
            cur.append(c);
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) out.add(s);
        cur.setLength(0);
    }

    /** The innermost cause's message: Gogo wraps command failures in reflection exceptions. */
    static String reason(Throwable t) {
        while ((t instanceof InvocationTargetException || t.getMessage() == null) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static Object waitForService(BundleContext ctx, String name, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (true) {
            ServiceReference<?> ref = ctx.getServiceReference(name);
            if (ref != null) {
                Object s = ctx.getService(ref);
                if (s != null) return s;
            }
            if (System.currentTimeMillis() > end) return null;
            Thread.sleep(10);
        }
    }

    private static void stopQuietly(Launcher.Running running) {
        try {
            running.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            ERR.println("obpf: " + e.getMessage());
        }
    }
}
