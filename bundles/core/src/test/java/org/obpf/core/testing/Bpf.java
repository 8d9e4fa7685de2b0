package org.obpf.core.testing;

import static org.obpf.api.insn.Opcodes.*;

import org.obpf.api.BpfException;
import org.obpf.api.insn.Insn;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;

/**
 * Programs for tests, in the conformance assembler's syntax plus three markers the loader would
 * produce as pseudo {@code lddw}s: {@code lddw %rX, MAP+fd} ({@link #MAP}: {@code BPF_PSEUDO_MAP_FD}),
 * {@code lddw %rX, VALUE+fd+(off<<16)} ({@link #VALUE}: {@code BPF_PSEUDO_MAP_VALUE}) and
 * {@code lddw %rX, FUNC+slot} ({@link #FUNC}: {@code BPF_PSEUDO_FUNC} to an absolute slot).
 */
public final class Bpf {
    private Bpf() {}

    public static final long MAP = 0x7fd0_0000_0000_0000L;
    public static final long VALUE = 0x7fe0_0000_0000_0000L;
    public static final long FUNC = 0x7ff0_0000_0000_0000L;

    public static String map(int fd) { return "0x" + Long.toHexString(MAP + fd); }
    public static String value(int fd, int off) { return "0x" + Long.toHexString(VALUE + fd + ((long) off << 16)); }
    public static String func(int slot) { return "0x" + Long.toHexString(FUNC + slot); }

    public static long[] asm(String text) {
        long[] p;
        try {
            p = Assembler.assemble(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        for (int pc = 0; pc + 1 < p.length; pc++) {
            if (Insn.code(p[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            long v = (Insn.imm(p[pc]) & 0xffffffffL) | (long) Insn.imm(p[pc + 1]) << 32;
            long tag = v & 0xfff0_0000_0000_0000L;
            int dst = Insn.dst(p[pc]);
            if (tag == MAP) {
                p[pc] = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, (int) (v & 0xffff));
                p[pc + 1] = 0;
            } else if (tag == VALUE) {
                p[pc] = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_VALUE, 0, (int) (v & 0xffff));
                p[pc + 1] = Insn.encode(0, 0, 0, 0, (int) ((v >>> 16) & 0xffff_ffffL));
            } else if (tag == FUNC) {
                p[pc] = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_FUNC, 0, (int) (v & 0xffff) - pc - 1);
                p[pc + 1] = 0;
            }
            pc++;
        }
        return p;
    }

    /** Prelinks {@code text} for {@code type} against {@code maps} and the type's built-in helpers. */
    public static Prelinked prelink(String text, ProgramType type, MapTable maps) throws BpfException {
        return Prelinker.prelink(asm(text), type, maps::get, HelperTable.builtins(type), Prelinker.Options.DEFAULT);
    }
}
