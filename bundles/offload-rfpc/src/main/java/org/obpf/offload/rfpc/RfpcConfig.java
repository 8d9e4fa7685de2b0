package org.obpf.offload.rfpc;

import java.util.Map;

/**
 * The size of one simulated RFPC: how many core groups and cores, and how much memory of each kind.
 *
 * @param name          its {@code bpf.offload.dev}
 * @param groups        core groups
 * @param coresPerGroup RV32IMC cores in a group
 * @param localBytes    local memory shared by the cores of a group (besides their windows)
 * @param windowBytes   each core's private window: context, packet frame and stack
 * @param codeBytes     instruction memory for programs
 * @param dramBytes     device DRAM for maps
 */
public record RfpcConfig(String name, int groups, int coresPerGroup, int localBytes, int windowBytes, int codeBytes,
                         int dramBytes) {
    public static final String GROUPS = "rfpc.groups", CORES = "rfpc.cores.per.group", LOCAL = "rfpc.local.bytes",
            WINDOW = "rfpc.window.bytes", CODE = "rfpc.code.bytes", DRAM = "rfpc.dram.bytes";

    public RfpcConfig {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("an RFPC needs a name (bpf.offload.dev)");
        check(name, "groups", groups, 1, 64);
        check(name, "cores per group", coresPerGroup, 1, 64);
        check(name, "local memory", localBytes, 4096, Layout.LOCAL_MAX);
        check(name, "core window", windowBytes, Layout.WINDOW_MIN, Layout.WINDOW_MAX);
        check(name, "code memory", codeBytes, 4096, Layout.CODE_MAX);
        check(name, "DRAM", dramBytes, 64 * 1024, Layout.DRAM_MAX);
        if ((localBytes | windowBytes | codeBytes | dramBytes) % 4096 != 0) {
            throw new IllegalArgumentException(name + ": memory sizes must be multiples of 4096 bytes");
        }
    }

    private static void check(String dev, String what, long v, long min, long max) {
        if (v < min || v > max) throw new IllegalArgumentException(dev + ": " + what + " " + v + " outside " + min + ".." + max);
    }

    public int cores() {
        return groups * coresPerGroup;
    }

    /** A config from component properties; missing ones take {@code defaults}' values. */
    public static RfpcConfig from(Map<String, ?> props, RfpcConfig defaults) {
        Object n = props.get(org.obpf.api.offload.OffloadDevice.DEV);
        return new RfpcConfig(n == null ? defaults.name() : n.toString(),
                integer(props, GROUPS, defaults.groups()), integer(props, CORES, defaults.coresPerGroup()),
                integer(props, LOCAL, defaults.localBytes()), integer(props, WINDOW, defaults.windowBytes()),
                integer(props, CODE, defaults.codeBytes()), integer(props, DRAM, defaults.dramBytes()));
    }

    private static int integer(Map<String, ?> props, String key, int dflt) {
        Object v = props.get(key);
        if (v == null) return dflt;
        if (v instanceof Number num) return num.intValue();
        try {
            return Integer.decode(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + v + " is not a number");
        }
    }

    /** The small device: one group of four cores, 64 KiB code, 4 MiB DRAM. */
    public static RfpcConfig small(String name) {
        return new RfpcConfig(name, 1, 4, 64 * 1024, 16 * 1024, 64 * 1024, 4 << 20);
    }

    /** The large device: four groups of eight cores, 256 KiB code, 64 MiB DRAM. */
    public static RfpcConfig large(String name) {
        return new RfpcConfig(name, 4, 8, 256 * 1024, 16 * 1024, 256 * 1024, 64 << 20);
    }
}
