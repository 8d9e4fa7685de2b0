package org.obpf.offload.rfpc.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What qemu cannot show: faults, traps to firmware, the instruction budget, cycle counts. */
class HartTest {
    static final int CODE = 0x0010_0000, DATA = 0x0020_0000, FW = 0x0000_1000;

    static byte[] words(int... w) {
        ByteBuffer b = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : w) b.putInt(i);
        return b.array();
    }

    static byte[] halves(int... h) {
        ByteBuffer b = ByteBuffer.allocate(h.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : h) b.putShort((short) i);
        return b.array();
    }

    record Machine(CodeMemory code, Hart hart, List<Integer> calls) {}

    static Machine machine(byte[] program, int dataPenalty) {
        CodeMemory code = new CodeMemory(CODE, 4096);
        code.load(CODE, program);
        Region data = new Region("data", DATA, 4096, new byte[4096], 0, true, dataPenalty);
        Region rom = new Region("rom", DATA + 4096, 4096, new byte[4096], 0, false, 0);
        List<Integer> calls = new java.util.ArrayList<>();
        Trap trap = new Trap() {
            @Override
            public long fetchOutside(Hart h, int address) {
                if (address == 0) return STOP;
                if (address != FW) throw new SimFault(address, "nothing here");
                calls.add(h.reg(10));
                h.setReg(10, h.reg(10) * 2);
                h.addCycles(10);
                return h.reg(1);
            }

            @Override
            public long ecall(Hart h, int pc) {
                return STOP;
            }
        };
        Hart hart = new Hart(0, code, new AddressSpace(List.of(data, rom)), trap);
        hart.setPc(CODE);
        return new Machine(code, hart, calls);
    }

    @Test
    void firmwareRoutineIsCalledAndReturnsToRa() {
        // li a0, 21; lui t0, 1 (=FW); jalr ra, 0(t0); ecall
        Machine m = machine(words(0x01500513, 0x000012b7, 0x000280e7, 0x00000073), 0);
        assertEquals(Hart.Stop.TRAP, m.hart().run(1000));
        assertEquals(List.of(21), m.calls());
        assertEquals(42, m.hart().reg(10));
        assertEquals(CODE + 12, m.hart().pc());
        assertEquals(4, m.hart().instret());
        assertEquals(4 + 10 + 1, m.hart().cycles()); // firmware time and one taken jump
    }

    @Test
    void loadPenaltiesAndDivisionAddCycles() {
        // lui t0, 0x200 (=DATA); lw a0, 0(t0); sw a0, 4(t0); divu a1, a0, a0; ecall
        Machine m = machine(words(0x002002b7, 0x0002a503, 0x00a2a223, 0x02a555b3, 0x00000073), 7);
        m.hart().run(1000);
        assertEquals(5, m.hart().instret());
        assertEquals(5 + 7 + 7 + Hart.DIV_CYCLES, m.hart().cycles());
    }

    @Test
    void budgetStopsAnEndlessLoop() {
        Machine m = machine(halves(0xa001), 0); // c.j 0
        assertEquals(Hart.Stop.BUDGET, m.hart().run(1000));
        assertEquals(1000, m.hart().instret());
        assertEquals(CODE, m.hart().pc());
    }

    @Test
    void faultsNameThePcAndTheCause() {
        assertEquals("pc 0x00100000: illegal instruction 0x0000",
                assertThrows(SimFault.class, () -> machine(halves(0, 0), 0).hart().run(10)).getMessage());
        assertEquals("pc 0x00100000: illegal instruction 0x0000000b",
                assertThrows(SimFault.class, () -> machine(words(0x0b), 0).hart().run(10)).getMessage());
        assertEquals("pc 0x00100000: ebreak",
                assertThrows(SimFault.class, () -> machine(words(0x00100073), 0).hart().run(10)).getMessage());
        assertEquals("pc 0x00100000: ebreak",
                assertThrows(SimFault.class, () -> machine(halves(0x9002), 0).hart().run(10)).getMessage());
        // lw a0, 0(zero)
        assertEquals("pc 0x00100000: access of 4 bytes at 0x00000000 outside device memory",
                assertThrows(SimFault.class, () -> machine(words(0x00002503), 0).hart().run(10)).getMessage());
        // lui t0, 0x201; sw zero, 0(t0): the read-only region
        assertEquals("pc 0x00100004: store to read-only rom at 0x00201000",
                assertThrows(SimFault.class, () -> machine(words(0x002012b7, 0x0002a023), 0).hart().run(10)).getMessage());
        // addi a0, a0, 1 then off the end of the loaded code
        assertEquals("pc 0x00100004: no code loaded here",
                assertThrows(SimFault.class, () -> machine(words(0x00150513), 0).hart().run(10)).getMessage());
        // jump to an address nothing lives at: lui t0, 2; jr t0
        assertEquals("pc 0x00002000: nothing here",
                assertThrows(SimFault.class, () -> machine(words(0x000022b7, 0x00028067), 0).hart().run(10)).getMessage());
    }

    @Test
    void unloadedCodeFaultsAgain() {
        Machine m = machine(words(0x00000073), 0);
        m.code().unload(CODE, 4);
        assertEquals("pc 0x00100000: no code loaded here",
                assertThrows(SimFault.class, () -> m.hart().run(10)).getMessage());
    }

    @Test
    void badLayoutsAreRefused() {
        byte[] mem = new byte[64];
        assertEquals("regions b[0x00000010..0x00000030) and a[0x00000000..0x00000020) overlap",
                assertThrows(IllegalArgumentException.class, () -> new AddressSpace(List.of(
                        new Region("a", 0, 32, mem, 0, true, 0), new Region("b", 16, 32, mem, 0, true, 0)))).getMessage());
        assertEquals("region c: 32 bytes at 40 outside its 64-byte store",
                assertThrows(IllegalArgumentException.class, () -> new Region("c", 0, 32, mem, 40, true, 0)).getMessage());
        assertEquals("8 bytes at 0x00100ffc do not fit code memory 0x00100000+4096",
                assertThrows(IllegalArgumentException.class, () -> new CodeMemory(CODE, 4096).load(CODE + 4092, new byte[8])).getMessage());
    }
}
