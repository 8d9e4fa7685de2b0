package org.obpf.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.obpf.offload.rfpc.sim.AddressSpace;
import org.obpf.offload.rfpc.sim.CodeMemory;
import org.obpf.offload.rfpc.sim.Hart;
import org.obpf.offload.rfpc.sim.Region;
import org.obpf.offload.rfpc.sim.SimFault;
import org.obpf.offload.rfpc.sim.Trap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Speed of the RFPC's RV32IMC simulator (offload-rfpc), in simulated RISC-V instructions per
 * second ({@code :insns}, the hart's retired-instruction count). Target: 100 M/s.
 *
 * <pre>java -jar bench/target/benchmarks.jar RfpcSimBench</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RfpcSimBench {
    static final int CODE = 0x0010_0000, LOCAL = 0x0020_0000;
    static final int WORDS = 256;

    /**
     * A hash over 256 words of local memory, mixed code of 32-bit and compressed instructions
     * (riscv64-linux-gnu-as -march=rv32imc):
     * <pre>
     *   lui t0, 0x200; li t1, 256; c.li a0, 0
     * loop:
     *   lw t2, 0(t0); c.add a0, t2; slli t3, a0, 5; xor a0, a0, t3; srli t3, a0, 3; c.add a0, t3
     *   sw a0, 0(t0); c.addi t0, 4; c.addi t1, -1; bnez t1, loop
     *   ecall
     * </pre>
     */
    static final byte[] HASH = bytes(4, 0x002002b7, 4, 0x10000313, 2, 0x4501, 4, 0x0002a383, 2, 0x951e,
            4, 0x00551e13, 4, 0x01c54533, 4, 0x00355e13, 2, 0x9572, 4, 0x00a2a023, 2, 0x0291, 2, 0x137d,
            4, 0xfe0312e3, 4, 0x00000073);

    static final int COUNT = 1_000_000;

    private CodeMemory code;
    private Hart hart;
    private byte[] local;
    private int countEntry;

    @Setup
    public void setup() {
        code = new CodeMemory(CODE, 4096);
        code.load(CODE, HASH);
        // li a1, COUNT (lui+addi); c.li a0, 0; loop: c.addi a0, 3; c.xor a0, a1; c.addi a1, -1; c.bnez a1, loop; ecall
        countEntry = CODE + 0x100;
        int hi = (COUNT + 0x800) >>> 12, lo = COUNT - (hi << 12);
        code.load(countEntry, bytes(4, hi << 12 | 11 << 7 | 0x37, 4, lo << 20 | 11 << 15 | 11 << 7 | 0x13,
                2, 0x4501, 2, 0x050d, 2, 0x8d2d, 2, 0x15fd, 2, 0xfded, 4, 0x00000073));
        local = new byte[64 * 1024];
        Trap trap = new Trap() {
            @Override
            public long fetchOutside(Hart h, int address) {
                throw new SimFault(address, "no firmware in this benchmark");
            }

            @Override
            public long ecall(Hart h, int pc) {
                return STOP;
            }
        };
        hart = new Hart(0, code, new AddressSpace(List.of(new Region("local", LOCAL, local.length, local, 0, true, 0))), trap);
        // The programs must compute what they claim, or the figures mean nothing.
        ByteBuffer lb = ByteBuffer.wrap(local).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < WORDS; i++) lb.putInt(4 * i, i * 0x9e3779b9);
        int expected = 0;
        for (int i = 0; i < WORDS; i++) {
            expected += i * 0x9e3779b9;
            expected ^= expected << 5;
            expected += expected >>> 3;
        }
        int got = hash();
        if (got != expected) throw new IllegalStateException("hash: expected " + expected + ", got " + got);
        int c = 0;
        for (int n = COUNT; n > 0; n--) { c += 3; c ^= n; }
        got = count();
        if (got != c) throw new IllegalStateException("count: expected " + c + ", got " + got);
    }

    private int hash() {
        hart.reset();
        hart.setPc(CODE);
        hart.run(Long.MAX_VALUE);
        return hart.reg(10);
    }

    private int count() {
        hart.reset();
        hart.setPc(countEntry);
        hart.run(Long.MAX_VALUE);
        return hart.reg(10);
    }

    /** 2,564 instructions per run, a quarter of them loads and stores to local memory. */
    @Benchmark
    public int hash256(Insns n) {
        int r = hash();
        n.insns += hart.instret();
        return r;
    }

    /** 4,000,004 instructions per run: a register-only loop of compressed instructions. */
    @Benchmark
    public int countingLoop(Insns n) {
        int r = count();
        n.insns += hart.instret();
        return r;
    }

    private static byte[] bytes(int... sizeAndValue) {
        ByteBuffer b = ByteBuffer.allocate(sizeAndValue.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < sizeAndValue.length; i += 2) {
            if (sizeAndValue[i] == 2) b.putShort((short) sizeAndValue[i + 1]);
            else b.putInt(sizeAndValue[i + 1]);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}
