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

    private static final long EXIT = Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

    @Test
    void aRunZeroesOnlyTheStackItsProgramMayWrite() {
        long st16 = Insn.encode(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 1);
        long ldx40 = Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 10, -40, 0);
        assertEquals(0, JitProgram.stackBytes(new long[] {EXIT}), "no stack");
        assertEquals(16, JitProgram.stackBytes(new long[] {st16, EXIT}));
        assertEquals(40, JitProgram.stackBytes(new long[] {st16, ldx40, EXIT}), "reads count too: they are bounded the same way");
        long movR2R10 = Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
        assertEquals(512, JitProgram.stackBytes(new long[] {st16, movR2R10, EXIT}), "a stack pointer for a helper: the frame");
        long stxR10 = Insn.encode(BPF_STX | BPF_MEM | BPF_DW, 1, 10, 0, 0);
        assertEquals(512, JitProgram.stackBytes(new long[] {stxR10, EXIT}), "r10 stored as a value");
        long above = Insn.encode(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -4, 1);
        assertEquals(512, JitProgram.stackBytes(new long[] {above, EXIT}), "an access reaching above r10");
        long call = Insn.encode(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1);
        assertEquals(4096, JitProgram.stackBytes(new long[] {call, EXIT, st16, EXIT}), "calls: every frame");
        long func = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 2);
        assertEquals(4096, JitProgram.stackBytes(new long[] {func, 0, EXIT, EXIT}), "callbacks: every frame");
    }

    @Test
    void aBadSlotIsRefused() {
        long[] insns = {call(3), Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        BpfException e = assertThrows(BpfException.class, () -> JitExecution.translate(prelinked(insns, List.of())));
        assertEquals(Errno.EINVAL, e.errno());
    }
}
