package org.obpf.offload.rfpc.sim;

import static org.obpf.offload.rfpc.sim.Op.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One RV32IMC core: 32 registers, a pc, and a dispatch loop over the predecoded slots of code
 * memory. Loads and stores go through the core's {@link AddressSpace}; control that leaves code
 * memory goes to the {@link Trap} (firmware routines). Counts retired instructions and simulated
 * cycles: one per instruction, plus each region's access penalty, plus {@value #DIV_CYCLES} for
 * a division and {@value #TAKEN_CYCLES} for a taken branch or jump.
 */
public final class Hart {
    public static final int DIV_CYCLES = 32;
    public static final int TAKEN_CYCLES = 1;

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Why {@link #run} returned. */
    public enum Stop { TRAP, BUDGET }

    private final int id;
    private final CodeMemory code;
    private final AddressSpace mem;
    private final Trap trap;
    /** x0..x31 and the sink for writes to x0. */
    private final int[] x = new int[33];
    private int pc;
    private long instret;
    /** Cycles beyond one per instruction. */
    private long stalls;

    public Hart(int id, CodeMemory code, AddressSpace mem, Trap trap) {
        this.id = id;
        this.code = code;
        this.mem = mem;
        this.trap = trap;
    }

    public int id() {
        return id;
    }

    public AddressSpace memory() {
        return mem;
    }

    public int reg(int i) {
        return x[i];
    }

    public void setReg(int i, int v) {
        if (i != 0) x[i] = v;
    }

    public int pc() {
        return pc;
    }

    public void setPc(int pc) {
        this.pc = pc;
    }

    public long instret() {
        return instret;
    }

    /** Simulated cycles: one per retired instruction plus stalls and firmware time. */
    public long cycles() {
        return instret + stalls;
    }

    /** Adds cycles spent outside the loop (firmware routines). */
    public void addCycles(long n) {
        stalls += n;
    }

    /** Clears registers and counters. */
    public void reset() {
        java.util.Arrays.fill(x, 0);
        instret = 0;
        stalls = 0;
    }

    /**
     * Runs from {@link #pc()} until a trap handler stops the core or about {@code budget}
     * instructions have retired (checked at taken branches and jumps).
     *
     * @throws SimFault on an illegal instruction, a fetch from unloaded code or a bad access
     */
    public Stop run(long budget) {
        final long[] slots = code.slots;
        final int n = slots.length - 1;
        final int base = code.base();
        final int[] x = this.x;
        final AddressSpace mem = this.mem;
        final long limit = instret + budget;
        long count = instret;
        long cyc = stalls;
        int idx = (pc - base) >> 1;
        try {
            while (true) {
                if (Integer.compareUnsigned(idx, n) >= 0) {
                    int addr = base + (idx << 1);
                    pc = addr;
                    instret = count;
                    stalls = cyc;
                    long next = trap.fetchOutside(this, addr);
                    count = instret;
                    cyc = stalls;
                    if (next == Trap.STOP) return Stop.TRAP;
                    idx = ((int) next - base) >> 1;
                    continue;
                }
                long s = slots[idx];
                count++;
                switch ((int) s & 0xff) {
                    case LI -> { x[rd(s)] = imm(s); idx += halfwords(s); }
                    case JAL -> {
                        x[rd(s)] = base + ((idx + halfwords(s)) << 1);
                        idx = imm(s);
                        cyc += TAKEN_CYCLES;
                        if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); }
                    }
                    case JALR -> {
                        int t = (x[rs1(s)] + imm(s)) & ~1;
                        x[rd(s)] = base + ((idx + halfwords(s)) << 1);
                        idx = (t - base) >> 1;
                        cyc += TAKEN_CYCLES;
                        if (count >= limit) { pc = t; return budget(count, cyc); }
                    }
                    case BEQ -> { if (x[rs1(s)] == x[rs2(s)]) { idx = imm(s); cyc += TAKEN_CYCLES; if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); } } else idx += halfwords(s); }
                    case BNE -> { if (x[rs1(s)] != x[rs2(s)]) { idx = imm(s); cyc += TAKEN_CYCLES; if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); } } else idx += halfwords(s); }
                    case BLT -> { if (x[rs1(s)] < x[rs2(s)]) { idx = imm(s); cyc += TAKEN_CYCLES; if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); } } else idx += halfwords(s); }
                    case BGE -> { if (x[rs1(s)] >= x[rs2(s)]) { idx = imm(s); cyc += TAKEN_CYCLES; if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); } } else idx += halfwords(s); }
                    case BLTU -> { if (Integer.compareUnsigned(x[rs1(s)], x[rs2(s)]) < 0) { idx = imm(s); cyc += TAKEN_CYCLES; if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); } } else idx += halfwords(s); }
                    case BGEU -> { if (Integer.compareUnsigned(x[rs1(s)], x[rs2(s)]) >= 0) { idx = imm(s); cyc += TAKEN_CYCLES; if (count >= limit) { pc = base + (idx << 1); return budget(count, cyc); } } else idx += halfwords(s); }
                    case LB -> { int a = x[rs1(s)] + imm(s); Region r = mem.find(at(base, idx), a, 1); cyc += r.penalty(); x[rd(s)] = r.mem()[r.offset() + (a - r.base())]; idx += halfwords(s); }
                    case LBU -> { int a = x[rs1(s)] + imm(s); Region r = mem.find(at(base, idx), a, 1); cyc += r.penalty(); x[rd(s)] = r.mem()[r.offset() + (a - r.base())] & 0xff; idx += halfwords(s); }
                    case LH -> { int a = x[rs1(s)] + imm(s); Region r = mem.find(at(base, idx), a, 2); cyc += r.penalty(); x[rd(s)] = (short) I16.get(r.mem(), r.offset() + (a - r.base())); idx += halfwords(s); }
                    case LHU -> { int a = x[rs1(s)] + imm(s); Region r = mem.find(at(base, idx), a, 2); cyc += r.penalty(); x[rd(s)] = (short) I16.get(r.mem(), r.offset() + (a - r.base())) & 0xffff; idx += halfwords(s); }
                    case LW -> { int a = x[rs1(s)] + imm(s); Region r = mem.find(at(base, idx), a, 4); cyc += r.penalty(); x[rd(s)] = (int) I32.get(r.mem(), r.offset() + (a - r.base())); idx += halfwords(s); }
                    case SB -> { int a = x[rs1(s)] + imm(s); Region r = mem.findWritable(at(base, idx), a, 1); cyc += r.penalty(); r.mem()[r.offset() + (a - r.base())] = (byte) x[rs2(s)]; idx += halfwords(s); }
                    case SH -> { int a = x[rs1(s)] + imm(s); Region r = mem.findWritable(at(base, idx), a, 2); cyc += r.penalty(); I16.set(r.mem(), r.offset() + (a - r.base()), (short) x[rs2(s)]); idx += halfwords(s); }
                    case SW -> { int a = x[rs1(s)] + imm(s); Region r = mem.findWritable(at(base, idx), a, 4); cyc += r.penalty(); I32.set(r.mem(), r.offset() + (a - r.base()), x[rs2(s)]); idx += halfwords(s); }
                    case ADDI -> { x[rd(s)] = x[rs1(s)] + imm(s); idx += halfwords(s); }
                    case SLTI -> { x[rd(s)] = x[rs1(s)] < imm(s) ? 1 : 0; idx += halfwords(s); }
                    case SLTIU -> { x[rd(s)] = Integer.compareUnsigned(x[rs1(s)], imm(s)) < 0 ? 1 : 0; idx += halfwords(s); }
                    case XORI -> { x[rd(s)] = x[rs1(s)] ^ imm(s); idx += halfwords(s); }
                    case ORI -> { x[rd(s)] = x[rs1(s)] | imm(s); idx += halfwords(s); }
                    case ANDI -> { x[rd(s)] = x[rs1(s)] & imm(s); idx += halfwords(s); }
                    case SLLI -> { x[rd(s)] = x[rs1(s)] << imm(s); idx += halfwords(s); }
                    case SRLI -> { x[rd(s)] = x[rs1(s)] >>> imm(s); idx += halfwords(s); }
                    case SRAI -> { x[rd(s)] = x[rs1(s)] >> imm(s); idx += halfwords(s); }
                    case ADD -> { x[rd(s)] = x[rs1(s)] + x[rs2(s)]; idx += halfwords(s); }
                    case SUB -> { x[rd(s)] = x[rs1(s)] - x[rs2(s)]; idx += halfwords(s); }
                    case SLL -> { x[rd(s)] = x[rs1(s)] << x[rs2(s)]; idx += halfwords(s); }
                    case SLT -> { x[rd(s)] = x[rs1(s)] < x[rs2(s)] ? 1 : 0; idx += halfwords(s); }
                    case SLTU -> { x[rd(s)] = Integer.compareUnsigned(x[rs1(s)], x[rs2(s)]) < 0 ? 1 : 0; idx += halfwords(s); }
                    case XOR -> { x[rd(s)] = x[rs1(s)] ^ x[rs2(s)]; idx += halfwords(s); }
                    case SRL -> { x[rd(s)] = x[rs1(s)] >>> x[rs2(s)]; idx += halfwords(s); }
                    case SRA -> { x[rd(s)] = x[rs1(s)] >> x[rs2(s)]; idx += halfwords(s); }
                    case OR -> { x[rd(s)] = x[rs1(s)] | x[rs2(s)]; idx += halfwords(s); }
                    case AND -> { x[rd(s)] = x[rs1(s)] & x[rs2(s)]; idx += halfwords(s); }
                    case MUL -> { x[rd(s)] = x[rs1(s)] * x[rs2(s)]; idx += halfwords(s); }
                    case MULH -> { x[rd(s)] = (int) ((long) x[rs1(s)] * x[rs2(s)] >> 32); idx += halfwords(s); }
                    case MULHSU -> { x[rd(s)] = (int) ((long) x[rs1(s)] * Integer.toUnsignedLong(x[rs2(s)]) >> 32); idx += halfwords(s); }
                    case MULHU -> { x[rd(s)] = (int) (Integer.toUnsignedLong(x[rs1(s)]) * Integer.toUnsignedLong(x[rs2(s)]) >>> 32); idx += halfwords(s); }
                    case DIV -> { int a = x[rs1(s)], b = x[rs2(s)]; x[rd(s)] = b == 0 ? -1 : a / b; cyc += DIV_CYCLES; idx += halfwords(s); }
                    case DIVU -> { int a = x[rs1(s)], b = x[rs2(s)]; x[rd(s)] = b == 0 ? -1 : Integer.divideUnsigned(a, b); cyc += DIV_CYCLES; idx += halfwords(s); }
                    case REM -> { int a = x[rs1(s)], b = x[rs2(s)]; x[rd(s)] = b == 0 ? a : a % b; cyc += DIV_CYCLES; idx += halfwords(s); }
                    case REMU -> { int a = x[rs1(s)], b = x[rs2(s)]; x[rd(s)] = b == 0 ? a : Integer.remainderUnsigned(a, b); cyc += DIV_CYCLES; idx += halfwords(s); }
                    case FENCE -> idx += halfwords(s);
                    case ECALL, EBREAK -> {
                        int at = at(base, idx);
                        pc = at;
                        instret = count;
                        stalls = cyc;
                        long next = ((int) s & 0xff) == ECALL ? trap.ecall(this, at) : trap.ebreak(this, at);
                        count = instret;
                        cyc = stalls;
                        if (next == Trap.STOP) return Stop.TRAP;
                        idx = ((int) next - base) >> 1;
                    }
                    case ILLEGAL -> throw new SimFault(at(base, idx), String.format("illegal instruction 0x%0"
                            + (halfwords(s) == 1 ? 4 : 8) + "x", imm(s)));
                    default -> throw new SimFault(at(base, idx), "no code loaded here");
                }
            }
        } finally {
            // On a fault the counters still say how far the core got.
            instret = count;
            stalls = cyc;
        }
    }

    private Stop budget(long count, long cyc) {
        instret = count;
        stalls = cyc;
        return Stop.BUDGET;
    }

    private static int at(int base, int idx) {
        return base + (idx << 1);
    }
}
