package org.obpf.core.prelink;

import static org.obpf.api.insn.Opcodes.*;

import java.util.BitSet;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.SkBuff;
import org.obpf.api.prog.XdpMd;
import org.obpf.core.prelink.KernelCtx.SkBuffK;
import org.obpf.core.prelink.KernelCtx.XdpBuff;

/**
 * The kernel's {@code convert_ctx_accesses} for the program types OBPF runs: every load or store
 * through the context pointer is checked against the type's {@code is_valid_access} rules
 * ({@code xdp_is_valid_access}, {@code tc_cls_act_is_valid_access}, {@code sk_filter_is_valid_access})
 * and rewritten into an access to OBPF's kernel-side structure ({@link KernelCtx}), as
 * {@code xdp_convert_ctx_access} and {@code bpf_convert_ctx_access} do. Each rewrite is one
 * instruction for one instruction: a 4-byte load of {@code xdp_md->data} becomes an 8-byte load
 * of {@code xdp_buff->data}; {@code __sk_buff} scalar fields sit at their UAPI offsets in
 * {@link SkBuffK} and keep their instruction.
 */
final class CtxConversion {
    private CtxConversion() {}

    /** Whether {@code type} has a context whose accesses are converted. */
    static boolean converts(ProgramType type) {
        return switch (type) {
            case XDP, SCHED_CLS, SCHED_ACT, SOCKET_FILTER -> true;
            default -> false;
        };
    }

    static long[] apply(long[] insns, ProgramType type, BitSet ctxAccess) throws BpfException {
        long[] out = insns.clone();
        for (int pc = ctxAccess.nextSetBit(0); pc >= 0; pc = ctxAccess.nextSetBit(pc + 1)) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            boolean write = kind == InsnKind.ST || kind == InsnKind.STX;
            int size = sizeBytes(bpfSize(Insn.code(w)));
            int off = Insn.off(w);
            if (kind == InsnKind.LDXSX) throw denied(pc, off, size);
            out[pc] = switch (type) {
                case XDP -> xdp(pc, w, off, size, write);
                case SCHED_CLS, SCHED_ACT -> skb(pc, w, off, size, write, true);
                case SOCKET_FILTER -> skb(pc, w, off, size, write, false);
                default -> throw denied(pc, off, size);
            };
        }
        return out;
    }

    private static BpfException denied(int pc, int off, int size) {
        return new BpfException(Errno.EACCES, "insn " + pc + ": invalid bpf_context access off=" + off + " size=" + size);
    }

    private static long withOffAndSize(long w, int off, int sizeField) {
        int code = Insn.code(w) & ~0x18 | sizeField;
        return (w & ~0xffff00ffL) | code | (off & 0xffffL) << 16;
    }

    /** xdp_is_valid_access + xdp_convert_ctx_access. */
    private static long xdp(int pc, long w, int off, int size, boolean write) throws BpfException {
        if (write || off < 0 || off >= XdpMd.SIZE || size != 4 || off % size != 0) throw denied(pc, off, size);
        return switch (off) {
            case XdpMd.DATA -> withOffAndSize(w, XdpBuff.DATA, BPF_DW);
            case XdpMd.DATA_END -> withOffAndSize(w, XdpBuff.DATA_END, BPF_DW);
            case XdpMd.DATA_META -> withOffAndSize(w, XdpBuff.DATA_META, BPF_DW);
            case XdpMd.INGRESS_IFINDEX -> withOffAndSize(w, XdpBuff.INGRESS_IFINDEX, BPF_W);
            case XdpMd.RX_QUEUE_INDEX -> withOffAndSize(w, XdpBuff.RX_QUEUE_INDEX, BPF_W);
            case XdpMd.EGRESS_IFINDEX -> withOffAndSize(w, XdpBuff.EGRESS_IFINDEX, BPF_W);
            default -> throw denied(pc, off, size);
        };
    }

    private static boolean in(int off, int field, int length) {
        return off >= field && off < field + length;
    }

    /** bpf_skb_is_valid_access with the tc / socket filter rules, then bpf_convert_ctx_access. */
    private static long skb(int pc, long w, int off, int size, boolean write, boolean tc) throws BpfException {
        if (off < 0 || off >= SkBuff.SIZE || off % size != 0) throw denied(pc, off, size);
        // 64-bit fields: tstamp and hwtstamp, 8-byte accesses only
        if (in(off, SkBuff.TSTAMP, 8) || in(off, SkBuff.HWTSTAMP, 8)) {
            if (size != 8) throw denied(pc, off, size);
            if (write && !(tc && off == SkBuff.TSTAMP)) throw denied(pc, off, size);
            return w;
        }
        if (size == 8) throw denied(pc, off, size);
        // pointers: 4-byte loads, tc only; converted to loads of the real pointers
        if (off == SkBuff.DATA || off == SkBuff.DATA_END || off == SkBuff.DATA_META) {
            if (!tc || write || size != 4) throw denied(pc, off, size);
            int to = off == SkBuff.DATA ? SkBuffK.DATA : off == SkBuff.DATA_END ? SkBuffK.DATA_END : SkBuffK.DATA_META;
            return withOffAndSize(w, to, BPF_DW);
        }
        if (in(off, SkBuff.DATA, 4) || in(off, SkBuff.DATA_END, 4) || in(off, SkBuff.DATA_META, 4)
                || in(off, SkBuff.FLOW_KEYS, 8) || in(off, SkBuff.SK, 8) || in(off, SkBuff.TSTAMP_TYPE, 4)) {
            throw denied(pc, off, size);
        }
        if (in(off, SkBuff.TC_CLASSID, 4) && !tc) throw denied(pc, off, size);
        if (write) {
            boolean cb = in(off, SkBuff.CB, 20);
            boolean tcWritable = off == SkBuff.MARK || off == SkBuff.TC_INDEX || off == SkBuff.PRIORITY
                    || off == SkBuff.TC_CLASSID || off == SkBuff.QUEUE_MAPPING;
            if (!(cb || tc && tcWritable && size == 4)) throw denied(pc, off, size);
        }
        return w; // the field sits at its UAPI offset in SkBuffK
    }
}
