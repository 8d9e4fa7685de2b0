package org.obpf.itests;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;

/**
 * A Gogo session in a running framework, driven the way the launcher drives it (reflection: the
 * Gogo runtime lives in a bundle): each command's result as text, or its failure's one line.
 */
final class Gogo implements AutoCloseable {
    /** What a command answered: its output (result and console) or its failure. */
    record Answer(String out, String error) {
        boolean failed() {
            return error != null;
        }
    }

    private final Object session;
    private final Method execute;
    private final Method format;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    Gogo(BundleContext ctx) throws Exception {
        Object processor = Osgi.service(ctx, "org.apache.felix.service.command.CommandProcessor");
        if (processor == null) throw new IllegalStateException("no Gogo command processor");
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        session = processor.getClass().getMethod("createSession", InputStream.class, java.io.OutputStream.class, java.io.OutputStream.class)
                .invoke(processor, InputStream.nullInputStream(), out, out);
        execute = session.getClass().getMethod("execute", CharSequence.class);
        format = session.getClass().getMethod("format", Object.class, int.class);
    }

    Answer run(String command) throws Exception {
        console.reset();
        try {
            Object r = execute.invoke(session, command);
            String text = console.toString(StandardCharsets.UTF_8) + (r == null ? "" : format.invoke(session, r, 0).toString());
            return new Answer(withoutLog(text), null);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            return new Answer(withoutLog(console.toString(StandardCharsets.UTF_8)), t.toString());
        }
    }

    /** The session's output without the log lines SLF4J's simple logger writes into it (thread "pipe-COMMAND"). */
    private static String withoutLog(String text) {
        StringBuilder sb = new StringBuilder();
        for (String l : text.split("(?<=\n)")) if (!l.startsWith("[pipe-")) sb.append(l);
        return sb.toString();
    }

    /** The corpus object {@code name} as a file in {@code dir}. */
    static Path corpus(Path dir, String name) throws Exception {
        try (InputStream in = Gogo.class.getClassLoader().getResourceAsStream("corpus/" + name + ".o")) {
            if (in == null) throw new IllegalStateException("corpus/" + name + ".o is not on the test class path");
            return Files.write(dir.resolve(name + ".o"), in.readAllBytes());
        }
    }

    @Override
    public void close() throws Exception {
        session.getClass().getMethod("close").invoke(session);
    }
}
