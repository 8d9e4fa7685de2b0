package org.obpf.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.obpf.api.insn.Opcodes.*;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.helper.PacketHelpers;
import org.obpf.core.prelink.Prelinked;

class JitExecutionTest {

    private static Prelinked prelinked(long[] insns, List<Helper> helpers) {
        return new Prelinked(ProgramType.SCHED_CLS, Optional.empty(), insns, helpers, List.of(), List.of(), new int[] {0}, List.of());
    }

    private static long call(int slot) {
        return Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, slot);
    }

    @Test
    void helperSlotsBecomeHelperIds() throws BpfException {
        HelperTable t = HelperTable.builtins();
        Helper lookup = t.require(1);
        Helper tail = t.require(JitExecution.BPF_FUNC_TAIL_CALL);
        Helper synthetic = PacketHelpers.skbLoadHelper(4); // id -32: not a kernel helper
        long[] insns = {call(0), call(1), call(2), call(1), Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        var tr = JitExecution.translate(prelinked(insns, List.of(lookup, synthetic, tail)));
        long[] out = tr.insns();
        assertEquals(1, Insn.imm(out[0]));
        int id = Insn.imm(out[1]);
        assertEquals(InsnDecoder.BPF_FUNC_MAX_ID - 1, id, "the synthetic helper takes the highest free id");
        assertEquals(JitExecution.BPF_FUNC_TAIL_CALL, Insn.imm(out[2]));
        assertEquals(id, Insn.imm(out[3]));
        assertSame(lookup, tr.helpers().get(1));
        assertSame(synthetic, tr.helpers().get(id));
        assertEquals(2, tr.helpers().size(), "the tail call is the runtime's, not a helper stub");
    }

    @Test
    void callbacksGoToTheBackEndAsTheyAre() throws BpfException {
        long[] insns = {
            Insn.encode(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_FUNC, 0, 2), 0,
            Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
            Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        assertEquals(java.util.Arrays.toString(insns), java.util.Arrays.toString(JitExecution.translate(prelinked(insns, List.of())).insns()));
    }

    @Test
    void aBadSlotIsRefused() {
        long[] insns = {call(3), Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        BpfException e = assertThrows(BpfException.class, () -> JitExecution.translate(prelinked(insns, List.of())));
        assertEquals(Errno.EINVAL, e.errno());
    }
}
