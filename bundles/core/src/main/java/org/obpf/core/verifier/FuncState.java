package org.obpf.core.verifier;

import static org.obpf.api.insn.Opcodes.MAX_BPF_STACK;

import java.util.Arrays;
import java.util.List;
import org.obpf.api.map.MapSpec;

/**
 * One call frame, the kernel's {@code struct bpf_func_state}: eleven registers and 512 bytes of
 * stack. Each stack byte has a slot type ({@link #STACK_INVALID} ...); an 8-byte slot holding a
 * spilled register keeps the register's state in {@code spilled}. Byte {@code i} is frame offset
 * {@code i - 512}; slot {@code i / 8} covers 8 bytes.
 */
public final class FuncState {
    public static final byte STACK_INVALID = 0;
    public static final byte STACK_SPILL = 1;
    public static final byte STACK_MISC = 2;
    public static final byte STACK_ZERO = 3;
    static final int SLOTS = MAX_BPF_STACK / 8;

    final Reg[] regs = new Reg[11];
    final byte[] slotType = new byte[MAX_BPF_STACK];
    final Reg[] spilled = new Reg[SLOTS];
    final int frameNo;
    /** Index of the call instruction that created this frame; -1 for the main program. */
    final int callsite;
    final int subprog;
    /** For a callback frame: the helper call it returns to (its insn index). */
    final boolean callback;
    /** Deepest stack byte used, as a positive depth. */
    int depth;

    FuncState(int frameNo, int callsite, int subprog, boolean callback) {
        this.frameNo = frameNo;
        this.callsite = callsite;
        this.subprog = subprog;
        this.callback = callback;
        Arrays.fill(regs, Reg.NOT_INIT);
        regs[10] = Reg.stack(frameNo);
    }

    FuncState copy() {
        FuncState f = new FuncState(frameNo, callsite, subprog, callback);
        System.arraycopy(regs, 0, f.regs, 0, regs.length);
        System.arraycopy(slotType, 0, f.slotType, 0, slotType.length);
        System.arraycopy(spilled, 0, f.spilled, 0, spilled.length);
        f.depth = depth;
        return f;
    }

    static int index(int off) {
        return off + MAX_BPF_STACK;
    }

    /** print_verifier_state for this frame. */
    void format(StringBuilder sb, List<MapSpec> maps, boolean header) {
        if (header) sb.append(" frame").append(frameNo).append(':');
        for (int r = 0; r < regs.length; r++) {
            if (!regs[r].isInit()) continue;
            sb.append(" R").append(r).append('=').append(regs[r].format(frameNo, maps));
        }
        for (int slot = SLOTS - 1; slot >= 0; slot--) {
            int base = slot * 8;
            boolean any = false;
            for (int j = 0; j < 8; j++) any |= slotType[base + j] != STACK_INVALID;
            if (!any) continue;
            int fpOff = base - MAX_BPF_STACK;
            sb.append(" fp").append(fpOff).append('=');
            if (isSpill(slot)) {
                sb.append(spilled[slot].format(frameNo, maps));
            } else {
                for (int j = 7; j >= 0; j--) {
                    sb.append(switch (slotType[base + j]) {
                        case STACK_SPILL -> 'r';
                        case STACK_MISC -> 'm';
                        case STACK_ZERO -> '0';
                        default -> '?';
                    });
                }
            }
        }
    }

    boolean isSpill(int slot) {
        for (int j = 0; j < 8; j++) if (slotType[slot * 8 + j] != STACK_SPILL) return false;
        return spilled[slot] != null;
    }
}
