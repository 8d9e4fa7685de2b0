package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tab completion in the interactive shell (shell/etc/gosh_profile): a real terminal is needed for
 * the line editor, so the shell runs in a tmux session, keys go in with {@code send-keys} and the
 * screen comes back with {@code capture-pane}.
 */
class ShellCompletionTest {
    private static final Path ROOT = Path.of(System.getProperty("obpf.root", "..")).toAbsolutePath().normalize();
    private final String session = "obpf-itest-" + ProcessHandle.current().pid();

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("tmux " + args[0] + " failed: " + out);
        return out;
    }

    @BeforeEach
    void startShell() throws Exception {
        try {
            tmux("-V");
        } catch (IOException e) {
            if (System.getenv("CI") != null) fail("CI must run the tab-completion test, but tmux is not installed");
            Assumptions.abort("tmux is not installed: tab completion needs a terminal");
        }
        String java = System.getProperty("java.home");
        tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40",
                "env OBPF_NO_BUILD=1 JAVA_HOME='" + java + "' '" + ROOT.resolve("obpf") + "' --log-level warn");
        screenShows(s -> s.contains("g! "), "the prompt");
    }

    @AfterEach
    void stopShell() throws Exception {
        try {
            tmux("kill-session", "-t", session);
        } catch (IOException ignored) {
            // no session: nothing to stop
        }
    }

    private String screenShows(Predicate<String> done, String what) throws Exception {
        String screen = "";
        for (int i = 0; i < 100; i++) {
            screen = tmux("capture-pane", "-p", "-t", session);
            if (done.test(screen)) return screen;
            Thread.sleep(200);
        }
        throw new AssertionError("the shell never showed " + what + "; screen:\n" + screen);
    }

    private String complete(String typed, String expectedLine) throws Exception {
        tmux("send-keys", "-t", session, "C-u");
        tmux("send-keys", "-t", session, "-l", typed);
        tmux("send-keys", "-t", session, "Tab");
        return screenShows(s -> s.lines().anyMatch(l -> l.strip().replaceAll(" +", " ").equals(expectedLine)), "'" + expectedLine + "' after '" + typed + "'");
    }

    @Test
    void subcommandsAndKindsCompleteOnTab() throws Exception {
        complete("bpf:prog ", "dump list load pin run show unload unpin");
        complete("bpf:prog dump ", "jited xlated");
        complete("bpf:map ", "create delete dump list lookup pin show unpin update");
        complete("bpf:backend ", "list show");
        complete("bpf:offload ", "list query");
    }

    @Test
    void aUniqueCandidateIsFilledIn() throws Exception {
        tmux("send-keys", "-t", session, "C-u");
        tmux("send-keys", "-t", session, "-l", "bpf:feature pr");
        tmux("send-keys", "-t", session, "Tab");
        String screen = screenShows(s -> s.contains("g! bpf:feature probe"), "'probe' filled in");
        assertTrue(screen.lines().anyMatch(l -> l.startsWith("g! bpf:feature probe")), screen);
        tmux("send-keys", "-t", session, "Enter");
        // The probe's last table (helpers per engine) ends the output.
        screen = screenShows(s -> s.lines().anyMatch(l -> l.matches("ENGINE +HELPERS +NAMES")), "the probe's helper table");
        assertTrue(screen.lines().anyMatch(l -> l.matches("x86_64 +\\d+ +map_lookup_elem .*")), screen);
    }
}
