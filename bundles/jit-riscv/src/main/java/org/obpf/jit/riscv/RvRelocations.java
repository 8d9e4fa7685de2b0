package org.obpf.jit.riscv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.SymbolTable;

/**
 * The RISC-V ELF relocation types (psABI numbers) and {@code link}: each applied as GNU ld applies
 * it, so that an image linked here and the same image written as an object and linked by ld are
 * byte for byte the same. {@code R_RISCV_PCREL_LO12_I/S} refer, as in ELF, to the {@code auipc}
 * that carries the matching {@code R_RISCV_PCREL_HI20} (here: the image plus that offset) and
 * receive the low twelve bits of that relocation's value.
 */
public final class RvRelocations {
    private RvRelocations() {}

    public static final int R_RISCV_32 = 1;
    public static final int R_RISCV_64 = 2;
    public static final int R_RISCV_BRANCH = 16;
    public static final int R_RISCV_JAL = 17;
    public static final int R_RISCV_CALL = 18;
    public static final int R_RISCV_CALL_PLT = 19;
    public static final int R_RISCV_PCREL_HI20 = 23;
    public static final int R_RISCV_PCREL_LO12_I = 24;
    public static final int R_RISCV_PCREL_LO12_S = 25;
    public static final int R_RISCV_HI20 = 26;
    public static final int R_RISCV_LO12_I = 27;
    public static final int R_RISCV_LO12_S = 28;

    static LinkedImage link(String arch, boolean rv64, RelocatableImage image, SymbolTable symbols) throws LinkException {
        if (!arch.equals(image.arch())) throw new LinkException(arch, List.of("image was compiled for " + image.arch()));
        byte[] code = image.code();
        long load = symbols.loadAddress();
        List<String> problems = new ArrayList<>();
        Map<Integer, Long> hiValues = new HashMap<>(); // auipc offset -> S + A - P of its HI20
        List<Relocation> lows = new ArrayList<>();
        for (Relocation r : image.relocations()) {
            OptionalLong s = symbols.resolve(r.symbol());
            if (s.isEmpty()) {
                problems.add("unresolved symbol " + r.symbol() + " at offset " + r.offset());
                continue;
            }
            long sa = s.getAsLong() + r.addend();
            long p = load + r.offset();
            int at = r.offset();
            switch (r.type()) {
                case R_RISCV_64 -> {
                    if (!rv64) problems.add("R_RISCV_64 in an RV32 image at offset " + at);
                    else for (int i = 0; i < 8; i++) code[at + i] = (byte) (sa >>> (8 * i));
                }
                case R_RISCV_32 -> {
                    if (!fits32(sa, rv64)) problems.add(range(r, sa, load));
                    else RvEmitter.put32(code, at, (int) sa);
                }
                case R_RISCV_HI20 -> {
                    if (!fits32(sa, rv64)) problems.add(range(r, sa, load));
                    else RvEmitter.put32(code, at, withHi20(RvEmitter.get32(code, at), sa));
                }
                case R_RISCV_LO12_I -> RvEmitter.put32(code, at, withLo12I(RvEmitter.get32(code, at), sa));
                case R_RISCV_LO12_S -> RvEmitter.put32(code, at, withLo12S(RvEmitter.get32(code, at), sa));
                case R_RISCV_PCREL_HI20 -> {
                    long v = pcrel(sa - p, rv64);
                    if (!fitsHi20(v)) problems.add(range(r, s.getAsLong(), load));
                    else {
                        RvEmitter.put32(code, at, withHi20(RvEmitter.get32(code, at), v));
                        hiValues.put(at, v);
                    }
                }
                case R_RISCV_PCREL_LO12_I, R_RISCV_PCREL_LO12_S -> lows.add(r);
                case R_RISCV_CALL, R_RISCV_CALL_PLT -> {
                    long v = pcrel(sa - p, rv64);
                    if (!fitsHi20(v)) problems.add(range(r, s.getAsLong(), load));
                    else {
                        RvEmitter.put32(code, at, withHi20(RvEmitter.get32(code, at), v));
                        RvEmitter.put32(code, at + 4, withLo12I(RvEmitter.get32(code, at + 4), v));
                    }
                }
                case R_RISCV_BRANCH -> {
                    long v = pcrel(sa - p, rv64);
                    if (!RvAsm.isInt(v, 13)) problems.add(range(r, s.getAsLong(), load));
                    else RvEmitter.put32(code, at, RvAsm.withBranchOffset(RvEmitter.get32(code, at), (int) v));
                }
                case R_RISCV_JAL -> {
                    long v = pcrel(sa - p, rv64);
                    if (!RvAsm.isInt(v, 21)) problems.add(range(r, s.getAsLong(), load));
                    else RvEmitter.put32(code, at, RvAsm.withJumpOffset(RvEmitter.get32(code, at), (int) v));
                }
                default -> problems.add("unknown relocation type " + r.type() + " at offset " + at);
            }
        }
        for (Relocation r : lows) {
            long auipc = symbols.resolve(r.symbol()).orElseThrow() + r.addend() - load;
            Long v = auipc >= 0 && auipc < code.length ? hiValues.get((int) auipc) : null;
            if (v == null) {
                problems.add(r.typeName() + " at offset " + r.offset() + " has no R_RISCV_PCREL_HI20 at offset " + auipc);
                continue;
            }
            int insn = RvEmitter.get32(code, r.offset());
            RvEmitter.put32(code, r.offset(), r.type() == R_RISCV_PCREL_LO12_I ? withLo12I(insn, v) : withLo12S(insn, v));
        }
        if (!problems.isEmpty()) throw new LinkException(arch, problems);
        return new LinkedImage(arch, load, code, image.subprogOffsets(), image.insnOffsets());
    }

    /** A PC-relative distance; on RV32 addresses wrap at 2^32, so every distance is in range. */
    private static long pcrel(long d, boolean rv64) {
        return rv64 ? d : (int) d;
    }

    private static boolean fits32(long v, boolean rv64) {
        return rv64 ? v == (int) v : (v >>> 32) == 0 || v == (int) v;
    }

    /** The value an auipc/lui + 12-bit pair reaches: {@code (hi20 << 12) + sext(lo12)}. */
    private static boolean fitsHi20(long v) {
        return v >= -(1L << 31) - 0x800 && v < (1L << 31) - 0x800;
    }

    private static String range(Relocation r, long symbolAddress, long load) {
        return r.symbol() + " at 0x" + Long.toHexString(symbolAddress) + " is out of the range of " + r.typeName()
                + " at offset " + r.offset() + " for load address 0x" + Long.toHexString(load);
    }

    static int withHi20(int insn, long v) {
        int hi = (int) ((v + 0x800) >> 12) & 0xfffff;
        return (insn & 0xfff) | hi << 12;
    }

    static int withLo12I(int insn, long v) {
        return (insn & 0x000fffff) | ((int) v & 0xfff) << 20;
    }

    static int withLo12S(int insn, long v) {
        int lo = (int) v & 0xfff;
        return (insn & 0x01fff07f) | (lo >> 5) << 25 | (lo & 0x1f) << 7;
    }
}
