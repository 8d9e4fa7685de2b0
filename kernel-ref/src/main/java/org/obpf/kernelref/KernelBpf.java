package org.obpf.kernelref;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/**
 * The Linux {@code bpf(2)} system call, one static method per command, with {@code union bpf_attr}
 * laid out as {@code include/uapi/linux/bpf.h} has it. File descriptors are plain ints here;
 * {@link KernelMap} and {@link KernelProgram} own them. Every failure is a
 * {@link KernelBpfException} with the kernel's errno (and the verifier's log for a refused load).
 */
public final class KernelBpf {
    private KernelBpf() {}

    // enum bpf_cmd
    public static final int BPF_MAP_CREATE = 0;
    public static final int BPF_MAP_LOOKUP_ELEM = 1;
    public static final int BPF_MAP_UPDATE_ELEM = 2;
    public static final int BPF_MAP_DELETE_ELEM = 3;
    public static final int BPF_MAP_GET_NEXT_KEY = 4;
    public static final int BPF_PROG_LOAD = 5;
    public static final int BPF_PROG_TEST_RUN = 10;
    public static final int BPF_OBJ_GET_INFO_BY_FD = 15;
    public static final int BPF_ENABLE_STATS = 32;

    // log_level bits
    public static final int BPF_LOG_LEVEL1 = 1;
    public static final int BPF_LOG_LEVEL2 = 2;
    public static final int BPF_LOG_STATS = 4;

    // BPF_MAP_UPDATE_ELEM flags
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;

    // prog_flags
    public static final int BPF_F_STRICT_ALIGNMENT = 1;
    public static final int BPF_F_ANY_ALIGNMENT = 1 << 1;
    public static final int BPF_F_TEST_RND_HI32 = 1 << 2;
    public static final int BPF_F_TEST_STATE_FREQ = 1 << 3;
    public static final int BPF_F_SLEEPABLE = 1 << 4;

    public static final int BPF_OBJ_NAME_LEN = 16;

    // --- union bpf_attr offsets -------------------------------------------------------------

    // BPF_MAP_CREATE
    static final int MC_MAP_TYPE = 0, MC_KEY_SIZE = 4, MC_VALUE_SIZE = 8, MC_MAX_ENTRIES = 12,
            MC_MAP_FLAGS = 16, MC_INNER_MAP_FD = 20, MC_MAP_NAME = 28, MC_SIZE = 72; // ... map_extra at 64 is the last field we pass
    // BPF_MAP_*_ELEM
    static final int ELEM_MAP_FD = 0, ELEM_KEY = 8, ELEM_VALUE = 16, ELEM_FLAGS = 24, ELEM_SIZE = 32;
    // BPF_PROG_LOAD
    static final int PL_PROG_TYPE = 0, PL_INSN_CNT = 4, PL_INSNS = 8, PL_LICENSE = 16, PL_LOG_LEVEL = 24,
            PL_LOG_SIZE = 28, PL_LOG_BUF = 32, PL_KERN_VERSION = 40, PL_PROG_FLAGS = 44, PL_PROG_NAME = 48,
            PL_EXPECTED_ATTACH_TYPE = 68, PL_FD_ARRAY = 120, PL_LOG_TRUE_SIZE = 140, PL_FD_ARRAY_CNT = 148,
            PL_SIZE = 152; // through fd_array_cnt (6.14); signature/keyring_id (6.18) stay unused
    // BPF_PROG_TEST_RUN (the 'test' struct)
    static final int TR_PROG_FD = 0, TR_RETVAL = 4, TR_DATA_SIZE_IN = 8, TR_DATA_SIZE_OUT = 12,
            TR_DATA_IN = 16, TR_DATA_OUT = 24, TR_REPEAT = 32, TR_DURATION = 36, TR_CTX_SIZE_IN = 40,
            TR_CTX_SIZE_OUT = 44, TR_CTX_IN = 48, TR_CTX_OUT = 56, TR_FLAGS = 64, TR_CPU = 68, TR_BATCH_SIZE = 72,
            TR_SIZE = 80; // sizeof the struct, padded to its 8-byte alignment
    // BPF_OBJ_GET_INFO_BY_FD (the 'info' struct)
    static final int INFO_BPF_FD = 0, INFO_INFO_LEN = 4, INFO_INFO = 8, INFO_SIZE = 16;
    // BPF_ENABLE_STATS
    static final int ES_TYPE = 0, ES_SIZE = 4;
    private static final int BPF_STATS_RUN_TIME = 0;

    // struct bpf_prog_info
    static final int PI_TYPE = 0, PI_ID = 4, PI_TAG = 8, PI_JITED_PROG_LEN = 16, PI_XLATED_PROG_LEN = 20,
            PI_JITED_PROG_INSNS = 24, PI_XLATED_PROG_INSNS = 32, PI_LOAD_TIME = 40, PI_NR_MAP_IDS = 52,
            PI_NAME = 64, PI_RUN_TIME_NS = 192, PI_RUN_CNT = 200, PI_RECURSION_MISSES = 208,
            PI_VERIFIED_INSNS = 216, PI_SIZE = 232;

    // --- availability -----------------------------------------------------------------------

    /** Whether bpf() works here, and why not when it does not. */
    public record Availability(boolean available, String reason) {}

    private static volatile Availability availability;

    /**
     * Whether this process can create maps and load and run programs through bpf(): Linux, a known
     * system call number, root (or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN) and bpf() not disabled.
     * Probed once: an array map is created and a socket filter {@code r0 = 0; exit} loaded.
     */
    public static boolean available() {
        return availability().available();
    }

    /** The reason bpf() cannot be used, empty when it can. */
    public static String unavailableReason() {
        return availability().reason();
    }

    public static Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (KernelBpf.class) {
                a = availability;
                if (a == null) availability = a = probe();
            }
        }
        return a;
    }

    private static Availability probe() {
        if (Sys.LINK_FAILURE != null) return new Availability(false, "bpf() cannot be called: " + Sys.LINK_FAILURE);
        try {
            int map = mapCreate(new MapSpec("obpf_probe", MapType.ARRAY, 4, 8, 1, 0));
            close(map);
            long[] insns = {
                Insn.encode(Opcodes.BPF_ALU64 | Opcodes.BPF_MOV | Opcodes.BPF_K, 0, 0, 0, 0),
                Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_EXIT, 0, 0, 0, 0),
            };
            int prog = progLoad(ProgLoadAttr.of(ProgramType.SOCKET_FILTER, insns).withLog(0, 0)).fd();
            close(prog);
            return new Availability(true, "");
        } catch (KernelBpfException e) {
            String why = switch (e.rawErrno()) {
                case 1 -> " (bpf() needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN; kernel.unprivileged_bpf_disabled = "
                        + sysctl("/proc/sys/kernel/unprivileged_bpf_disabled") + ")";
                case 38 -> " (the kernel was built without CONFIG_BPF_SYSCALL, or a seccomp filter blocks bpf())";
                default -> "";
            };
            return new Availability(false, "bpf() probe failed: " + e + why);
        } catch (RuntimeException e) {
            return new Availability(false, "bpf() probe failed: " + e);
        }
    }

    private static String sysctl(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    // --- commands ---------------------------------------------------------------------------

    private static long call(int cmd, MemorySegment attr, int size, String what) throws KernelBpfException {
        Sys.Ret r = Sys.bpf(cmd, attr, size);
        if (r.failed()) {
            throw new KernelBpfException(r.errno(), what + ": " + KernelBpfException.errnoName(r.errno()));
        }
        return r.value();
    }

    /** {@code BPF_MAP_CREATE}; returns the new map's fd. The name is cut to 15 characters. */
    public static int mapCreate(MapSpec spec) throws KernelBpfException {
        return mapCreate(spec, 0);
    }

    /** {@code BPF_MAP_CREATE} with {@code inner_map_fd} (0: none), the template of a map-in-map. */
    public static int mapCreate(MapSpec spec, int innerMapFd) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(MC_SIZE, 8);
            attr.set(JAVA_INT_UNALIGNED, MC_MAP_TYPE, spec.type().kernelId());
            attr.set(JAVA_INT_UNALIGNED, MC_KEY_SIZE, spec.keySize());
            attr.set(JAVA_INT_UNALIGNED, MC_VALUE_SIZE, spec.valueSize());
            attr.set(JAVA_INT_UNALIGNED, MC_MAX_ENTRIES, spec.maxEntries());
            attr.set(JAVA_INT_UNALIGNED, MC_MAP_FLAGS, spec.flags());
            attr.set(JAVA_INT_UNALIGNED, MC_INNER_MAP_FD, innerMapFd);
            putName(attr, MC_MAP_NAME, spec.name());
            return (int) call(BPF_MAP_CREATE, attr, MC_SIZE, "BPF_MAP_CREATE " + describe(spec));
        }
    }

    static String describe(MapSpec spec) {
        return "map '" + spec.name() + "' (" + spec.type().kernelName() + ", key " + spec.keySize() + ", value "
                + spec.valueSize() + ", max_entries " + spec.maxEntries() + ", flags 0x" + Integer.toHexString(spec.flags()) + ")";
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: the value ({@code valueBytes} long), or empty if the key is absent (ENOENT). */
    public static Optional<byte[]> mapLookup(int mapFd, byte[] key, int valueBytes) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Math.max(valueBytes, 1), 8);
            MemorySegment attr = elemAttr(arena, mapFd, key, value, 0);
            Sys.Ret r = Sys.bpf(BPF_MAP_LOOKUP_ELEM, attr, ELEM_SIZE);
            if (r.failed()) {
                if (r.errno() == 2) return Optional.empty();
                throw new KernelBpfException(r.errno(), "BPF_MAP_LOOKUP_ELEM on map fd " + mapFd + ": " + KernelBpfException.errnoName(r.errno()));
            }
            return Optional.of(value.asSlice(0, valueBytes).toArray(JAVA_BYTE));
        }
    }

    /** {@code BPF_MAP_UPDATE_ELEM} with {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}. */
    public static void mapUpdate(int mapFd, byte[] key, byte[] value, long flags) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = elemAttr(arena, mapFd, key, copy(arena, value), flags);
            call(BPF_MAP_UPDATE_ELEM, attr, ELEM_SIZE, "BPF_MAP_UPDATE_ELEM on map fd " + mapFd);
        }
    }

    /** {@code BPF_MAP_DELETE_ELEM}: true if the key was there, false for ENOENT. */
    public static boolean mapDelete(int mapFd, byte[] key) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = elemAttr(arena, mapFd, key, MemorySegment.NULL, 0);
            Sys.Ret r = Sys.bpf(BPF_MAP_DELETE_ELEM, attr, ELEM_SIZE);
            if (r.failed()) {
                if (r.errno() == 2) return false;
                throw new KernelBpfException(r.errno(), "BPF_MAP_DELETE_ELEM on map fd " + mapFd + ": " + KernelBpfException.errnoName(r.errno()));
            }
            return true;
        }
    }

    /**
     * {@code BPF_MAP_GET_NEXT_KEY}: the key after {@code key} ({@code null}: the first key), or
     * empty after the last one (ENOENT).
     */
    public static Optional<byte[]> mapGetNextKey(int mapFd, byte[] key, int keySize) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(Math.max(keySize, 1), 8);
            MemorySegment attr = arena.allocate(ELEM_SIZE, 8);
            attr.set(JAVA_INT_UNALIGNED, ELEM_MAP_FD, mapFd);
            attr.set(JAVA_LONG_UNALIGNED, ELEM_KEY, key == null ? 0 : copy(arena, key).address());
            attr.set(JAVA_LONG_UNALIGNED, ELEM_VALUE, next.address()); // next_key shares value's slot
            Sys.Ret r = Sys.bpf(BPF_MAP_GET_NEXT_KEY, attr, ELEM_SIZE);
            if (r.failed()) {
                if (r.errno() == 2) return Optional.empty();
                throw new KernelBpfException(r.errno(), "BPF_MAP_GET_NEXT_KEY on map fd " + mapFd + ": " + KernelBpfException.errnoName(r.errno()));
            }
            return Optional.of(next.asSlice(0, keySize).toArray(JAVA_BYTE));
        }
    }

    private static MemorySegment elemAttr(Arena arena, int mapFd, byte[] key, MemorySegment value, long flags) {
        MemorySegment attr = arena.allocate(ELEM_SIZE, 8);
        attr.set(JAVA_INT_UNALIGNED, ELEM_MAP_FD, mapFd);
        attr.set(JAVA_LONG_UNALIGNED, ELEM_KEY, copy(arena, key).address());
        attr.set(JAVA_LONG_UNALIGNED, ELEM_VALUE, value.address());
        attr.set(JAVA_LONG_UNALIGNED, ELEM_FLAGS, flags);
        return attr;
    }

    /** A loaded program: its fd and the verifier's log (empty at log level 0). */
    public record Loaded(int fd, String log) {}

    /**
     * {@code BPF_PROG_LOAD}. A log buffer the kernel finds too small (ENOSPC) is enlarged to the
     * size it asks for ({@code log_true_size}) and the load repeated.
     *
     * @throws KernelBpfException with the verifier's log when the program is refused
     */
    public static Loaded progLoad(ProgLoadAttr a) throws KernelBpfException {
        int logSize = a.logLevel() == 0 ? 0 : a.logSize();
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment insns = arena.allocate(8L * Math.max(a.insnCount(), 1), 8);
                for (int i = 0; i < a.insnCount(); i++) insns.setAtIndex(JAVA_LONG, i, a.insn(i));
                MemorySegment license = arena.allocateFrom(a.license());
                MemorySegment log = logSize == 0 ? MemorySegment.NULL : arena.allocate(logSize);
                int[] fds = a.fdArray();
                MemorySegment fdArray = MemorySegment.NULL;
                if (fds.length > 0) {
                    fdArray = arena.allocate(4L * fds.length, 4);
                    for (int i = 0; i < fds.length; i++) fdArray.setAtIndex(JAVA_INT, i, fds[i]);
                }
                MemorySegment attr = arena.allocate(PL_SIZE, 8);
                attr.set(JAVA_INT_UNALIGNED, PL_PROG_TYPE, a.progType().kernelId());
                attr.set(JAVA_INT_UNALIGNED, PL_INSN_CNT, a.insnCount());
                attr.set(JAVA_LONG_UNALIGNED, PL_INSNS, insns.address());
                attr.set(JAVA_LONG_UNALIGNED, PL_LICENSE, license.address());
                attr.set(JAVA_INT_UNALIGNED, PL_LOG_LEVEL, logSize == 0 ? 0 : a.logLevel());
                attr.set(JAVA_INT_UNALIGNED, PL_LOG_SIZE, logSize);
                attr.set(JAVA_LONG_UNALIGNED, PL_LOG_BUF, log.address());
                attr.set(JAVA_INT_UNALIGNED, PL_KERN_VERSION, a.kernVersion());
                attr.set(JAVA_INT_UNALIGNED, PL_PROG_FLAGS, a.progFlags());
                putName(attr, PL_PROG_NAME, a.progName());
                attr.set(JAVA_INT_UNALIGNED, PL_EXPECTED_ATTACH_TYPE, a.expectedAttachType());
                attr.set(JAVA_LONG_UNALIGNED, PL_FD_ARRAY, fdArray.address());
                // fd_array_cnt stays 0: with it the kernel binds every listed map even if unused,
                // which is BPF_PROG_BIND_MAP's job, not a verdict's.
                attr.set(JAVA_INT_UNALIGNED, PL_FD_ARRAY_CNT, 0);
                Sys.Ret r = Sys.bpf(BPF_PROG_LOAD, attr, PL_SIZE);
                String text = logSize == 0 ? "" : log.getString(0, StandardCharsets.UTF_8);
                if (!r.failed()) return new Loaded((int) r.value(), text);
                if (r.errno() == 28 && logSize != 0 && logSize < (Integer.MAX_VALUE >> 2)) {
                    // ENOSPC: the log did not fit (reported even for an accepted program).
                    int trueSize = attr.get(JAVA_INT_UNALIGNED, PL_LOG_TRUE_SIZE);
                    logSize = trueSize > logSize ? trueSize : logSize * 2;
                    continue;
                }
                throw new KernelBpfException(r.errno(), "BPF_PROG_LOAD (" + a.progType().kernelName() + ", "
                        + a.insnCount() + " insns): " + KernelBpfException.errnoName(r.errno())
                        + (text.isEmpty() ? "" : ": " + VerifierStats.reason(text)), text);
            }
        }
    }

    /** {@code BPF_PROG_TEST_RUN}. */
    public static TestRunResult progTestRun(int progFd, TestRunAttr t) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            byte[] dataIn = t.dataInRef();
            byte[] ctxIn = t.ctxInRef();
            MemorySegment din = dataIn.length == 0 ? MemorySegment.NULL : copy(arena, dataIn);
            MemorySegment dout = t.dataSizeOut() == 0 ? MemorySegment.NULL : arena.allocate(t.dataSizeOut(), 8);
            MemorySegment cin = ctxIn.length == 0 ? MemorySegment.NULL : copy(arena, ctxIn);
            MemorySegment cout = t.ctxSizeOut() == 0 ? MemorySegment.NULL : arena.allocate(t.ctxSizeOut(), 8);
            MemorySegment attr = arena.allocate(TR_SIZE, 8);
            attr.set(JAVA_INT_UNALIGNED, TR_PROG_FD, progFd);
            attr.set(JAVA_INT_UNALIGNED, TR_DATA_SIZE_IN, dataIn.length);
            attr.set(JAVA_INT_UNALIGNED, TR_DATA_SIZE_OUT, t.dataSizeOut());
            attr.set(JAVA_LONG_UNALIGNED, TR_DATA_IN, din.address());
            attr.set(JAVA_LONG_UNALIGNED, TR_DATA_OUT, dout.address());
            attr.set(JAVA_INT_UNALIGNED, TR_REPEAT, t.repeat());
            attr.set(JAVA_INT_UNALIGNED, TR_CTX_SIZE_IN, ctxIn.length);
            attr.set(JAVA_INT_UNALIGNED, TR_CTX_SIZE_OUT, t.ctxSizeOut());
            attr.set(JAVA_LONG_UNALIGNED, TR_CTX_IN, cin.address());
            attr.set(JAVA_LONG_UNALIGNED, TR_CTX_OUT, cout.address());
            attr.set(JAVA_INT_UNALIGNED, TR_FLAGS, t.flags());
            attr.set(JAVA_INT_UNALIGNED, TR_CPU, t.cpu());
            attr.set(JAVA_INT_UNALIGNED, TR_BATCH_SIZE, t.batchSize());
            call(BPF_PROG_TEST_RUN, attr, TR_SIZE, "BPF_PROG_TEST_RUN of prog fd " + progFd);
            int dataOutSize = Math.min(attr.get(JAVA_INT_UNALIGNED, TR_DATA_SIZE_OUT), t.dataSizeOut());
            int ctxOutSize = Math.min(attr.get(JAVA_INT_UNALIGNED, TR_CTX_SIZE_OUT), t.ctxSizeOut());
            return new TestRunResult(
                    attr.get(JAVA_INT_UNALIGNED, TR_RETVAL),
                    dout.equals(MemorySegment.NULL) ? new byte[0] : dout.asSlice(0, dataOutSize).toArray(JAVA_BYTE),
                    cout.equals(MemorySegment.NULL) ? new byte[0] : cout.asSlice(0, ctxOutSize).toArray(JAVA_BYTE),
                    cin.equals(MemorySegment.NULL) ? new byte[0] : cin.toArray(JAVA_BYTE),
                    attr.get(JAVA_INT_UNALIGNED, TR_DURATION));
        }
    }

    /** The id of the map behind {@code mapFd} ({@code BPF_OBJ_GET_INFO_BY_FD}'s {@code bpf_map_info.id}, after {@code type}). */
    public static int mapId(int mapFd) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(8, 8); // struct bpf_map_info up to id: the kernel fills no more than info_len
            getInfo(arena, mapFd, info);
            return info.get(JAVA_INT_UNALIGNED, 4);
        }
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} on a program. */
    public static ProgInfo progInfo(int progFd) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(PI_SIZE, 8);
            getInfo(arena, progFd, info);
            byte[] name = info.asSlice(PI_NAME, BPF_OBJ_NAME_LEN).toArray(JAVA_BYTE);
            int len = 0;
            while (len < name.length && name[len] != 0) len++;
            return new ProgInfo(
                    info.get(JAVA_INT_UNALIGNED, PI_TYPE), info.get(JAVA_INT_UNALIGNED, PI_ID),
                    info.get(JAVA_LONG_UNALIGNED, PI_TAG), info.get(JAVA_INT_UNALIGNED, PI_JITED_PROG_LEN),
                    info.get(JAVA_INT_UNALIGNED, PI_XLATED_PROG_LEN), info.get(JAVA_LONG_UNALIGNED, PI_LOAD_TIME),
                    info.get(JAVA_INT_UNALIGNED, PI_NR_MAP_IDS), new String(name, 0, len, StandardCharsets.UTF_8),
                    info.get(JAVA_LONG_UNALIGNED, PI_RUN_TIME_NS), info.get(JAVA_LONG_UNALIGNED, PI_RUN_CNT),
                    info.get(JAVA_LONG_UNALIGNED, PI_RECURSION_MISSES), info.get(JAVA_INT_UNALIGNED, PI_VERIFIED_INSNS));
        }
    }

    /**
     * The program as the kernel rewrote it (xlated: map fds as addresses, ctx accesses converted,
     * helper calls fixed up), one word per slot. Needs CAP_SYS_ADMIN with kptr_restrict allowing it.
     */
    public static long[] progXlated(int progFd) throws KernelBpfException {
        byte[] b = progCode(progFd, PI_XLATED_PROG_LEN, PI_XLATED_PROG_INSNS);
        long[] words = new long[b.length / 8];
        MemorySegment s = MemorySegment.ofArray(b);
        for (int i = 0; i < words.length; i++) words[i] = s.get(JAVA_LONG_UNALIGNED, 8L * i);
        return words;
    }

    /** The JIT-compiled machine code (empty when the program runs interpreted). */
    public static byte[] progJited(int progFd) throws KernelBpfException {
        return progCode(progFd, PI_JITED_PROG_LEN, PI_JITED_PROG_INSNS);
    }

    private static byte[] progCode(int progFd, int lenOffset, int ptrOffset) throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(PI_SIZE, 8);
            getInfo(arena, progFd, info);
            int len = info.get(JAVA_INT_UNALIGNED, lenOffset);
            if (len == 0) return new byte[0];
            MemorySegment buf = arena.allocate(len, 8);
            info.fill((byte) 0);
            info.set(JAVA_INT_UNALIGNED, lenOffset, len);
            info.set(JAVA_LONG_UNALIGNED, ptrOffset, buf.address());
            getInfo(arena, progFd, info);
            return buf.toArray(JAVA_BYTE);
        }
    }

    private static void getInfo(Arena arena, int fd, MemorySegment info) throws KernelBpfException {
        MemorySegment attr = arena.allocate(INFO_SIZE, 8);
        attr.set(JAVA_INT_UNALIGNED, INFO_BPF_FD, fd);
        attr.set(JAVA_INT_UNALIGNED, INFO_INFO_LEN, (int) info.byteSize());
        attr.set(JAVA_LONG_UNALIGNED, INFO_INFO, info.address());
        call(BPF_OBJ_GET_INFO_BY_FD, attr, INFO_SIZE, "BPF_OBJ_GET_INFO_BY_FD on fd " + fd);
    }

    /**
     * {@code BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)}: while the returned fd is open, the kernel
     * counts {@code run_time_ns} and {@code run_cnt} for every program. Close it with {@link #close}.
     */
    public static int enableRunTimeStats() throws KernelBpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ES_SIZE, 8);
            attr.set(JAVA_INT_UNALIGNED, ES_TYPE, BPF_STATS_RUN_TIME);
            return (int) call(BPF_ENABLE_STATS, attr, ES_SIZE, "BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)");
        }
    }

    /** libc {@code close(fd)}. */
    public static void close(int fd) throws KernelBpfException {
        Sys.Ret r = Sys.close(fd);
        if (r.failed()) throw new KernelBpfException(r.errno(), "close(" + fd + "): " + KernelBpfException.errnoName(r.errno()));
    }

    private static MemorySegment copy(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(Math.max(bytes.length, 1), 8);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    private static void putName(MemorySegment attr, int offset, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        // BPF_OBJ_NAME_LEN includes the terminating NUL; the kernel accepts [A-Za-z0-9_.] only.
        int n = Math.min(b.length, BPF_OBJ_NAME_LEN - 1);
        for (int i = 0; i < n; i++) {
            byte c = b[i];
            boolean ok = Character.isLetterOrDigit(c) || c == '_' || c == '.';
            attr.set(JAVA_BYTE, offset + i, ok ? c : (byte) '_');
        }
    }
}
