package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offsets {@link KernelBpf} writes, checked against the C compiler's {@code offsetof} on the
 * installed {@code <linux/bpf.h>} (Debian's linux-libc-dev). Fields newer than that header
 * ({@code log_true_size}, {@code fd_array_cnt}) are checked by their place after
 * {@code core_relo_rec_size} in the upstream header: log_true_size, prog_token_fd, fd_array_cnt,
 * four bytes each.
 */
class BpfAttrLayoutTest {

    /** Java constant name -> the C expression giving the same number. */
    static Map<String, String> expressions() {
        Map<String, String> m = new LinkedHashMap<>();
        String a = "offsetof(union bpf_attr, %s)";
        String i = "offsetof(struct bpf_prog_info, %s)";
        m.put("MC_MAP_TYPE", a.formatted("map_type"));
        m.put("MC_KEY_SIZE", a.formatted("key_size"));
        m.put("MC_VALUE_SIZE", a.formatted("value_size"));
        m.put("MC_MAX_ENTRIES", a.formatted("max_entries"));
        m.put("MC_MAP_FLAGS", a.formatted("map_flags"));
        m.put("MC_INNER_MAP_FD", a.formatted("inner_map_fd"));
        m.put("MC_MAP_NAME", a.formatted("map_name"));
        m.put("MC_SIZE", a.formatted("map_extra") + " + sizeof(__u64)");
        m.put("ELEM_MAP_FD", a.formatted("map_fd"));
        m.put("ELEM_KEY", a.formatted("key"));
        m.put("ELEM_VALUE", a.formatted("value"));
        m.put("ELEM_FLAGS", a.formatted("flags"));
        m.put("ELEM_SIZE", a.formatted("flags") + " + sizeof(__u64)");
        m.put("PL_PROG_TYPE", a.formatted("prog_type"));
        m.put("PL_INSN_CNT", a.formatted("insn_cnt"));
        m.put("PL_INSNS", a.formatted("insns"));
        m.put("PL_LICENSE", a.formatted("license"));
        m.put("PL_LOG_LEVEL", a.formatted("log_level"));
        m.put("PL_LOG_SIZE", a.formatted("log_size"));
        m.put("PL_LOG_BUF", a.formatted("log_buf"));
        m.put("PL_KERN_VERSION", a.formatted("kern_version"));
        m.put("PL_PROG_FLAGS", a.formatted("prog_flags"));
        m.put("PL_PROG_NAME", a.formatted("prog_name"));
        m.put("PL_EXPECTED_ATTACH_TYPE", a.formatted("expected_attach_type"));
        m.put("PL_FD_ARRAY", a.formatted("fd_array"));
        m.put("PL_LOG_TRUE_SIZE", a.formatted("core_relo_rec_size") + " + 4");
        m.put("PL_FD_ARRAY_CNT", a.formatted("core_relo_rec_size") + " + 12");
        m.put("PL_SIZE", a.formatted("core_relo_rec_size") + " + 16");
        m.put("TR_PROG_FD", a.formatted("test.prog_fd"));
        m.put("TR_RETVAL", a.formatted("test.retval"));
        m.put("TR_DATA_SIZE_IN", a.formatted("test.data_size_in"));
        m.put("TR_DATA_SIZE_OUT", a.formatted("test.data_size_out"));
        m.put("TR_DATA_IN", a.formatted("test.data_in"));
        m.put("TR_DATA_OUT", a.formatted("test.data_out"));
        m.put("TR_REPEAT", a.formatted("test.repeat"));
        m.put("TR_DURATION", a.formatted("test.duration"));
        m.put("TR_CTX_SIZE_IN", a.formatted("test.ctx_size_in"));
        m.put("TR_CTX_SIZE_OUT", a.formatted("test.ctx_size_out"));
        m.put("TR_CTX_IN", a.formatted("test.ctx_in"));
        m.put("TR_CTX_OUT", a.formatted("test.ctx_out"));
        m.put("TR_FLAGS", a.formatted("test.flags"));
        m.put("TR_CPU", a.formatted("test.cpu"));
        m.put("TR_BATCH_SIZE", a.formatted("test.batch_size"));
        m.put("TR_SIZE", "sizeof(((union bpf_attr *)0)->test)");
        m.put("INFO_BPF_FD", a.formatted("info.bpf_fd"));
        m.put("INFO_INFO_LEN", a.formatted("info.info_len"));
        m.put("INFO_INFO", a.formatted("info.info"));
        m.put("INFO_SIZE", "sizeof(((union bpf_attr *)0)->info)");
        m.put("ES_TYPE", a.formatted("enable_stats.type"));
        m.put("ES_SIZE", "sizeof(((union bpf_attr *)0)->enable_stats)");
        m.put("PI_TYPE", i.formatted("type"));
        m.put("PI_ID", i.formatted("id"));
        m.put("PI_TAG", i.formatted("tag"));
        m.put("PI_JITED_PROG_LEN", i.formatted("jited_prog_len"));
        m.put("PI_XLATED_PROG_LEN", i.formatted("xlated_prog_len"));
        m.put("PI_JITED_PROG_INSNS", i.formatted("jited_prog_insns"));
        m.put("PI_XLATED_PROG_INSNS", i.formatted("xlated_prog_insns"));
        m.put("PI_LOAD_TIME", i.formatted("load_time"));
        m.put("PI_NR_MAP_IDS", i.formatted("nr_map_ids"));
        m.put("PI_NAME", i.formatted("name"));
        m.put("PI_RUN_TIME_NS", i.formatted("run_time_ns"));
        m.put("PI_RUN_CNT", i.formatted("run_cnt"));
        m.put("PI_RECURSION_MISSES", i.formatted("recursion_misses"));
        m.put("PI_VERIFIED_INSNS", i.formatted("verified_insns"));
        m.put("PI_SIZE", "sizeof(struct bpf_prog_info)");
        return m;
    }

    @Test
    void everyOffsetMatchesTheCHeader(@TempDir Path dir) throws Exception {
        Path cc = null;
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "cc"))) {
                cc = Path.of(p, "cc");
                break;
            }
        }
        Assumptions.assumeTrue(cc != null, "cc not installed: the layout check needs a C compiler");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/include/linux/bpf.h")),
                "/usr/include/linux/bpf.h not installed (Debian's linux-libc-dev)");

        Map<String, String> exprs = expressions();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/bpf.h>\nint main(void) {\n");
        exprs.forEach((name, expr) -> c.append("    printf(\"").append(name).append(" %zu\\n\", (size_t) (").append(expr).append("));\n"));
        c.append("    return 0;\n}\n");
        Path src = dir.resolve("layout.c");
        Path exe = dir.resolve("layout");
        Files.writeString(src, c);
        run(dir, cc.toString(), "-o", exe.toString(), src.toString());
        String out = run(dir, exe.toString());

        Map<String, Integer> fromC = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(" ");
            fromC.put(f[0], Integer.parseInt(f[1]));
        }
        Map<String, Integer> fromJava = new LinkedHashMap<>();
        for (String name : exprs.keySet()) {
            fromJava.put(name, KernelBpf.class.getDeclaredField(name).getInt(null));
        }
        assertEquals(fromC, fromJava);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
