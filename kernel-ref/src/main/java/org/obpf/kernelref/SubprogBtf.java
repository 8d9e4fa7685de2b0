package org.obpf.kernelref;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_JMP;
import static org.obpf.api.insn.Opcodes.BPF_CALL;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_CALL;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_FUNC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.obpf.api.insn.Insn;

/**
 * Loads programs that pass callbacks ({@code lddw} src {@code BPF_PSEUDO_FUNC}): the kernel
 * demands BTF func_info for them ("missing btf func_info"), one FUNC record per sub-program start.
 * The BTF here is minimal: [1] int, [2] {@code int (void)}, [3..n+2] static FUNCs f0..f(n-1) of
 * that prototype; static linkage keeps the verifier from checking arguments against the
 * prototype, as for a program loaded without BTF. (An object's own .BTF would need libbpf's
 * DATASEC fix-ups first.)
 */
public final class SubprogBtf {
    private SubprogBtf() {}

    static final int BPF_BTF_LOAD = 18;
    static final int PL_PROG_BTF_FD = 72, PL_FUNC_INFO_REC_SIZE = 76, PL_FUNC_INFO = 80, PL_FUNC_INFO_CNT = 88;

    /** True when the program loads a sub-program's address ({@code lddw} src {@code BPF_PSEUDO_FUNC}: a callback). */
    public static boolean needed(long[] insns) {
        for (int pc = 0; pc < insns.length; pc++) {
            if (Insn.code(insns[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            if (Insn.src(insns[pc]) == BPF_PSEUDO_FUNC) return true;
            pc++;
        }
        return false;
    }

    /** Every sub-program's first slot: 0, each local call's and each {@code BPF_PSEUDO_FUNC} target, sorted. */
    public static List<Integer> subprogStarts(long[] insns) {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int pc = 0; pc < insns.length; pc++) {
            int code = Insn.code(insns[pc]);
            if (code == (BPF_JMP | BPF_CALL) && Insn.src(insns[pc]) == BPF_PSEUDO_CALL) {
                starts.add(pc + 1 + Insn.imm(insns[pc]));
            } else if (code == (BPF_LD | BPF_IMM | BPF_DW)) {
                if (Insn.src(insns[pc]) == BPF_PSEUDO_FUNC) starts.add(pc + 1 + Insn.imm(insns[pc]));
                pc++;
            }
        }
        return List.copyOf(starts);
    }

    /** The minimal BTF for {@code n} functions (see the class comment). */
    public static byte[] funcBtf(int n) {
        StringBuilder strings = new StringBuilder("\0int\0");
        ByteBuffer types = ByteBuffer.allocate(16 + 12 + 12 * n).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(1).putInt(1 << 24).putInt(4).putInt(1 << 24 | 32); // INT "int", signed, 32 bits
        types.putInt(0).putInt(13 << 24).putInt(1); // FUNC_PROTO () -> int
        for (int i = 0; i < n; i++) {
            int nameOff = strings.length();
            strings.append('f').append(i).append('\0');
            types.putInt(nameOff).putInt(12 << 24).putInt(2); // FUNC, static, proto [2]
        }
        byte[] str = strings.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(24 + types.capacity() + str.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(types.capacity()).putInt(types.capacity()).putInt(str.length);
        b.put(types.array()).put(str);
        return b.array();
    }

    /**
     * {@code BPF_PROG_LOAD} of {@code a} (maps already bound) with the minimal BTF and one
     * func_info record per entry of {@code starts}; the log at {@code a}'s level, grown until it fits.
     */
    public static KernelBpf.Loaded progLoad(ProgLoadAttr a, List<Integer> starts) throws KernelBpfException {
        byte[] btf = funcBtf(starts.size());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment btfSeg = arena.allocate(btf.length, 8);
            MemorySegment.copy(btf, 0, btfSeg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, btf.length);
            MemorySegment btfLog = arena.allocate(65536);
            MemorySegment battr = arena.allocate(40, 8);
            battr.set(JAVA_LONG_UNALIGNED, 0, btfSeg.address());
            battr.set(JAVA_LONG_UNALIGNED, 8, btfLog.address());
            battr.set(JAVA_INT_UNALIGNED, 16, btf.length);
            battr.set(JAVA_INT_UNALIGNED, 20, 65536);
            battr.set(JAVA_INT_UNALIGNED, 24, 1);
            Sys.Ret br = Sys.bpf(BPF_BTF_LOAD, battr, 40);
            if (br.failed()) {
                throw new KernelBpfException(br.errno(), "BPF_BTF_LOAD: " + KernelBpfException.errnoName(br.errno()) + ": "
                        + btfLog.getString(0));
            }
            int btfFd = (int) br.value();
            try {
                return load(arena, a, starts, btfFd);
            } finally {
                KernelBpf.close(btfFd);
            }
        }
    }

    private static KernelBpf.Loaded load(Arena arena, ProgLoadAttr a, List<Integer> starts, int btfFd)
            throws KernelBpfException {
        long[] insns = a.insns();
        MemorySegment code = arena.allocate(8L * insns.length, 8);
        for (int i = 0; i < insns.length; i++) code.setAtIndex(JAVA_LONG, i, insns[i]);
        MemorySegment funcInfo = arena.allocate(8L * starts.size(), 4);
        for (int i = 0; i < starts.size(); i++) {
            funcInfo.setAtIndex(JAVA_INT, 2L * i, starts.get(i));
            funcInfo.setAtIndex(JAVA_INT, 2L * i + 1, 3 + i);
        }
        MemorySegment license = arena.allocateFrom(a.license());
        int logSize = a.logLevel() == 0 ? 0 : a.logSize();
        while (true) {
            MemorySegment log = logSize == 0 ? MemorySegment.NULL : arena.allocate(logSize);
            MemorySegment attr = arena.allocate(KernelBpf.PL_SIZE, 8);
            attr.set(JAVA_INT_UNALIGNED, KernelBpf.PL_PROG_TYPE, a.progType().kernelId());
            attr.set(JAVA_INT_UNALIGNED, KernelBpf.PL_INSN_CNT, insns.length);
            attr.set(JAVA_LONG_UNALIGNED, KernelBpf.PL_INSNS, code.address());
            attr.set(JAVA_LONG_UNALIGNED, KernelBpf.PL_LICENSE, license.address());
            attr.set(JAVA_INT_UNALIGNED, KernelBpf.PL_LOG_LEVEL, logSize == 0 ? 0 : a.logLevel());
            attr.set(JAVA_INT_UNALIGNED, KernelBpf.PL_LOG_SIZE, logSize);
            attr.set(JAVA_LONG_UNALIGNED, KernelBpf.PL_LOG_BUF, log.address());
            attr.set(JAVA_INT_UNALIGNED, KernelBpf.PL_PROG_FLAGS, a.progFlags());
            attr.set(JAVA_INT_UNALIGNED, KernelBpf.PL_EXPECTED_ATTACH_TYPE, a.expectedAttachType());
            attr.set(JAVA_INT_UNALIGNED, PL_PROG_BTF_FD, btfFd);
            attr.set(JAVA_INT_UNALIGNED, PL_FUNC_INFO_REC_SIZE, 8);
            attr.set(JAVA_LONG_UNALIGNED, PL_FUNC_INFO, funcInfo.address());
            attr.set(JAVA_INT_UNALIGNED, PL_FUNC_INFO_CNT, starts.size());
            Sys.Ret r = Sys.bpf(KernelBpf.BPF_PROG_LOAD, attr, KernelBpf.PL_SIZE);
            String text = logSize == 0 ? "" : log.getString(0);
            if (!r.failed()) return new KernelBpf.Loaded((int) r.value(), text);
            if (r.errno() == 28 && logSize != 0 && logSize < (Integer.MAX_VALUE >> 2)) {
                int trueSize = attr.get(JAVA_INT_UNALIGNED, KernelBpf.PL_LOG_TRUE_SIZE);
                logSize = trueSize > logSize ? trueSize : logSize * 2;
                continue;
            }
            throw new KernelBpfException(r.errno(), "BPF_PROG_LOAD with func_info (" + a.progType().kernelName() + ", "
                    + insns.length + " insns): " + KernelBpfException.errnoName(r.errno()) + ": " + VerifierStats.reason(text), text);
        }
    }
}
