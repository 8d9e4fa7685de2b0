package org.obpf.offload.rfpc.testing;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.obpf.offload.rfpc.sim.AddressSpace;
import org.obpf.offload.rfpc.sim.CodeMemory;
import org.obpf.offload.rfpc.sim.Hart;
import org.obpf.offload.rfpc.sim.Region;
import org.obpf.offload.rfpc.sim.SimFault;
import org.obpf.offload.rfpc.sim.Trap;

/**
 * Runs a static RV32 Linux executable on the simulator the way qemu-riscv32 runs it: its load
 * segments mapped at their addresses (the executable one as code memory, readable as data),
 * and the two system calls the test programs make, {@code write} (64) and {@code exit} (93).
 */
public final class LinuxUser implements Trap {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final Hart hart;
    private int exit = -1;

    public LinuxUser(Elf32 elf) {
        List<Region> regions = new ArrayList<>();
        CodeMemory code = null;
        for (Elf32.Segment s : elf.segments) {
            if (s.type() != Elf32.PT_LOAD) continue;
            int start = s.vaddr() & ~0xfff;
            int size = (s.vaddr() - start + s.memSize() + 0xfff) & ~0xfff;
            byte[] img = elf.bytes(s.offset(), s.fileSize());
            if ((s.flags() & Elf32.PF_X) != 0) {
                if (code != null) throw new IllegalArgumentException("two executable segments");
                code = new CodeMemory(start, size);
                code.load(s.vaddr(), img.length % 2 == 0 ? img : java.util.Arrays.copyOf(img, img.length + 1));
                regions.add(new Region("text", start, size, code.bytes(), 0, false, 0));
            } else {
                byte[] mem = new byte[size];
                System.arraycopy(img, 0, mem, s.vaddr() - start, img.length);
                regions.add(0, new Region("data", start, size, mem, 0, true, 0));
            }
        }
        if (code == null) throw new IllegalArgumentException("no executable segment");
        hart = new Hart(0, code, new AddressSpace(regions), this);
        hart.setPc(elf.entry);
    }

    public Hart hart() {
        return hart;
    }

    /** Runs to exit; returns the exit code. */
    public int run(long budget) {
        if (hart.run(budget) != Hart.Stop.TRAP) throw new IllegalStateException("no exit within " + budget + " instructions");
        return exit;
    }

    public byte[] stdout() {
        return stdout.toByteArray();
    }

    @Override
    public long fetchOutside(Hart h, int address) {
        throw new SimFault(address, "jump outside the program");
    }

    @Override
    public long ecall(Hart h, int pc) {
        int nr = h.reg(17);
        switch (nr) {
            case 64 -> {
                byte[] b = h.memory().read(h.reg(11), h.reg(12));
                if (h.reg(10) == 1) stdout.writeBytes(b);
                h.setReg(10, b.length);
                return pc + 4;
            }
            case 93, 94 -> {
                exit = h.reg(10) & 0xff;
                return STOP;
            }
            default -> throw new SimFault(pc, "system call " + nr + " not simulated");
        }
    }
}
