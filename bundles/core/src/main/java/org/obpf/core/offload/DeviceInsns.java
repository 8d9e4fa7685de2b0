package org.obpf.core.offload;

import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;

import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.ArrayMap;
import org.obpf.core.prelink.Prelinked;

/**
 * A prelinked program as an offload back-end takes it: the host addresses that
 * {@code replace_map_fd_with_map_ptr} put into {@code lddw} become map symbols again
 * ({@code BPF_PSEUDO_MAP_IDX} / {@code _IDX_VALUE} by the program's map order, which the device
 * binds to its own maps), and helper slots become helper ids (the device's firmware routines).
 * The program must have been prelinked without {@code map_gen_lookup} inlining, as the kernel
 * does for offloaded programs, or host addresses would remain in arithmetic.
 */
public final class DeviceInsns {
    private DeviceInsns() {}

    public static long[] of(Prelinked p) throws BpfException {
        long[] insns = p.insns();
        List<AbstractBpfMap> maps = p.maps();
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            InsnKind k = InsnKind.of(w);
            if (k == InsnKind.CALL_HELPER) {
                int slot = Insn.imm(w);
                if (slot < 0 || slot >= p.helpers().size()) {
                    throw new BpfException(Errno.EINVAL, "insn " + pc + ": call to helper slot " + slot + ": no such slot");
                }
                insns[pc] = Insn.withImm(w, p.helpers().get(slot).id());
            }
            if (k != InsnKind.LD_IMM64) continue;
            if (Insn.src(w) == 0) {
                long v = Integer.toUnsignedLong(Insn.imm(w)) | (long) Insn.imm(insns[pc + 1]) << 32;
                for (int i = 0; i < maps.size(); i++) {
                    AbstractBpfMap m = maps.get(i);
                    if (v == m.address()) {
                        insns[pc] = Insn.encode(Insn.code(w), Insn.dst(w), BPF_PSEUDO_MAP_IDX, Insn.off(w), i);
                        insns[pc + 1] = Insn.encode(0, 0, 0, 0, 0);
                        break;
                    }
                    if (m instanceof ArrayMap a && !a.percpu()) {
                        long base = a.values().address();
                        if (v >= base && v < base + m.spec().valueSize()) {
                            insns[pc] = Insn.encode(Insn.code(w), Insn.dst(w), BPF_PSEUDO_MAP_IDX_VALUE, Insn.off(w), i);
                            insns[pc + 1] = Insn.encode(0, 0, 0, 0, (int) (v - base));
                            break;
                        }
                    }
                }
            }
            pc++;
        }
        return insns;
    }
}
