package org.obpf.core.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierOptions;
import org.obpf.core.verifier.VerifierResult;

/**
 * Batch entry to the verifier: needs only api and core on the class path.
 *
 * <pre>
 * verify --type TYPE [--map TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES]... [--log-level N] [--mem-size N]
 *        [--allow-uninit-stack] FILE
 * </pre>
 *
 * FILE holds raw bytecode, 8-byte little-endian instructions: binary, or text of hex bytes with
 * white space ignored. A 16-byte load with src 1 (map fd) or 2 (map value) and immediate K refers
 * to the K-th {@code --map}. TYPE is the kernel's name ({@code xdp}, {@code socket_filter},
 * {@code sched_cls} ...; {@code flat} with {@code --mem-size}). Prints {@code ACCEPT} or
 * {@code REJECT} on the first line, then the log (level 1 unless told). {@code --allow-uninit-stack}
 * lets reads of unwritten stack through, as the kernel does for a loader with CAP_PERFMON. Exit status 0 for either
 * verdict; 2 when it could not run, with a one-line error on standard error.
 */
public final class Verify {
    private Verify() {}

    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;
    static final String USAGE = "usage: verify --type TYPE [--map TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES]... "
            + "[--log-level N] [--mem-size N] [--allow-uninit-stack] FILE";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@link #main} without {@code System.exit}: returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ProgramType type = null;
        List<MapSpec> maps = new ArrayList<>();
        int logLevel = 1;
        long memSize = 0;
        String file = null;
        boolean allowUninitStack = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                int eq = a.indexOf('=');
                String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
                if (a.startsWith("--") && eq > 0) value = a.substring(eq + 1);
                switch (name) {
                    case "--allow-uninit-stack" -> allowUninitStack = true;
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return EXIT_OK;
                    }
                    case "--type", "--map", "--log-level", "--mem-size" -> {
                        if (value == null) {
                            if (i + 1 == args.length) return usage(err, name + " needs a value");
                            value = args[++i];
                        }
                        switch (name) {
                            case "--type" -> {
                                String v = value;
                                type = ProgramType.byName(v).orElse(null);
                                if (type == null || type == ProgramType.UNSPEC) return usage(err, "unknown program type '" + v + "'");
                            }
                            case "--map" -> maps.add(parseMap(value));
                            case "--log-level" -> {
                                logLevel = parseInt(value, "--log-level");
                                if (logLevel < 0 || logLevel > 2) return usage(err, "--log-level must be 0, 1 or 2");
                            }
                            default -> {
                                memSize = parseInt(value, "--mem-size");
                                if (memSize < 0) return usage(err, "--mem-size must not be negative");
                            }
                        }
                    }
                    default -> {
                        if (a.startsWith("-") && a.length() > 1) return usage(err, "unknown option " + a);
                        if (file != null) return usage(err, "more than one FILE: " + file + ", " + a);
                        file = a;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        if (type == null) return usage(err, "--type is required");
        if (file == null) return usage(err, "FILE is required");
        long[] prog;
        try {
            prog = words(Files.readAllBytes(Path.of(file)));
        } catch (IOException e) {
            err.println("verify: cannot read " + file + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (IllegalArgumentException e) {
            err.println("verify: " + file + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        VerifierOptions opts = new VerifierOptions(type, maps, logLevel, memSize, VerifierOptions.BPF_COMPLEXITY_LIMIT_INSNS,
                allowUninitStack);
        VerifierResult r = Verifier.verify(prog, opts);
        out.println(r.accepted() ? "ACCEPT" : "REJECT");
        if (logLevel > 0) out.print(r.log());
        else if (!r.accepted()) out.println(r.error());
        out.flush();
        return EXIT_OK;
    }

    /** {@code TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES}, TYPE as bpftool names it ({@code hash}, {@code array}, {@code ringbuf}). */
    public static MapSpec parseMap(String spec) {
        String[] p = spec.split(":", -1);
        if (p.length != 4) throw new IllegalArgumentException("malformed map spec '" + spec + "': want TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES");
        MapType t = MapType.byName(p[0]).orElse(null);
        if (t == null || t == MapType.UNSPEC) throw new IllegalArgumentException("malformed map spec '" + spec + "': unknown map type '" + p[0] + "'");
        int k = parseInt(p[1], "map key size");
        int v = parseInt(p[2], "map value size");
        int n = parseInt(p[3], "map max_entries");
        if (k < 0 || v < 0 || n < 0) throw new IllegalArgumentException("malformed map spec '" + spec + "': negative size");
        return new MapSpec("", t, k, v, n, 0);
    }

    private static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": not a number: '" + s + "'");
        }
    }

    /** Instructions from the file's bytes: hex text when every byte is a hex digit or white space, else binary. */
    static long[] words(byte[] data) {
        boolean text = data.length > 0;
        for (byte b : data) {
            char c = (char) (b & 0xff);
            if (!(Character.isWhitespace(c) || Character.digit(c, 16) >= 0)) {
                text = false;
                break;
            }
        }
        byte[] bytes = data;
        if (text) {
            StringBuilder hex = new StringBuilder();
            for (byte b : data) if (!Character.isWhitespace((char) b)) hex.append((char) b);
            if (hex.length() % 2 != 0) throw new IllegalArgumentException("odd number of hex digits (" + hex.length() + ")");
            bytes = new byte[hex.length() / 2];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        if (bytes.length == 0) throw new IllegalArgumentException("no instructions");
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes is not a whole number of 8-byte instructions");
        }
        long[] w = new long[bytes.length / 8];
        for (int i = 0; i < w.length; i++) {
            long v = 0;
            for (int j = 7; j >= 0; j--) v = v << 8 | (bytes[i * 8 + j] & 0xffL);
            w[i] = v;
        }
        return w;
    }

    private static int usage(PrintStream err, String message) {
        err.println("verify: " + message + "; " + USAGE);
        return EXIT_USAGE;
    }
}
