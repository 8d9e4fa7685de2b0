package org.obpf.jit.riscv;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The cross tools the tests run (binutils, gcc and QEMU for RISC-V). A missing tool aborts the
 * test with its name, except under CI (environment variable {@code CI} set), where it fails.
 */
final class Tools {
    private Tools() {}

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && new File(dir, tool).canExecute()) return true;
        }
        return false;
    }

    static void require(String... tools) {
        for (String t : tools) {
            if (onPath(t)) continue;
            String why = t + " is not installed (Debian packages qemu-user, binutils-riscv64-linux-gnu, gcc-riscv64-linux-gnu)";
            if (System.getenv("CI") != null) fail("CI must run the RISC-V tests, but " + why);
            Assumptions.abort(why);
        }
    }

    /** Runs a command, asserting exit status 0; returns standard output and error. */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        int rc = p.waitFor();
        String s = out.toString(StandardCharsets.UTF_8);
        if (rc != 0) fail(String.join(" ", cmd) + " exited with " + rc + ":\n" + s);
        return s;
    }
}
