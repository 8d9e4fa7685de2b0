package org.obpf.offload.rfpc.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The RISC-V cross tools the tests use: {@code riscv64-linux-gnu-gcc} (Debian gcc-riscv64-linux-gnu)
 * to build RV32IMC programs and objects, and {@code qemu-riscv32} (Debian qemu-user) as the
 * reference. A missing tool skips the test naming it, except with CI set, where it fails.
 */
public final class Cross {
    private Cross() {}

    public static final String GCC = "riscv64-linux-gnu-gcc";
    public static final String QEMU = "qemu-riscv32";
    public static final List<String> FLAGS = List.of("-march=rv32imc", "-mabi=ilp32", "-nostdlib", "-static",
            "-ffreestanding", "-Wl,-m,elf32lriscv");

    public static Path tool(String name, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        String message = "missing " + name + " (Debian package " + debianPackage + ")";
        if (System.getenv("CI") != null) fail(message + "; CI is set, so this is a failure, not a skip");
        Assumptions.abort(message);
        return null;
    }

    public static Path gcc() {
        return tool(GCC, "gcc-riscv64-linux-gnu");
    }

    public static Path qemu() {
        return tool(QEMU, "qemu-user");
    }

    /** Builds an executable from sources with the common flags plus {@code extra}. */
    public static Path build(Path dir, String out, List<Path> sources, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(gcc().toString()));
        cmd.addAll(FLAGS);
        cmd.addAll(List.of(extra));
        cmd.add("-o");
        cmd.add(out);
        for (Path s : sources) cmd.add(s.toString());
        run(dir, cmd);
        return dir.resolve(out);
    }

    /** Assembles one file to a relocatable object (for images with relocations). */
    public static Path object(Path dir, String out, Path source, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(gcc().toString(), "-march=rv32imc", "-mabi=ilp32", "-c", "-o", out));
        cmd.addAll(List.of(extra));
        cmd.add(source.toString());
        run(dir, cmd);
        return dir.resolve(out);
    }

    /** What a program did under qemu-riscv32: its stdout and exit code. */
    public record Outcome(byte[] stdout, int exit) {}

    public static Outcome qemu(Path exe) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(qemu().toString(), exe.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(QEMU + " " + exe + " did not finish in 60 s");
        }
        return new Outcome(out, p.exitValue());
    }

    private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int rc = p.waitFor();
        if (rc != 0) fail(String.join(" ", cmd) + " exited " + rc + ":\n" + Files.readString(err));
    }
}
