package org.obpf.offload.rfpc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;

/**
 * The device loader's relocation engine: applies RISC-V psABI relocations to an RV32 image at
 * the load base the device picked, as the RFPC's firmware loader does in dynamic offload. Values
 * are {@code S + A} or, for PC-relative types, {@code S + A - P}; {@code R_RISCV_PCREL_LO12_I/S}
 * name (as in ELF) the {@code auipc} carrying the matching {@code R_RISCV_PCREL_HI20}, as
 * {@link Symbol#image()} plus its offset, and receive the low twelve bits of that value.
 */
final class Relocator {
    private Relocator() {}

    static final int R_RISCV_32 = 1, R_RISCV_BRANCH = 16, R_RISCV_JAL = 17, R_RISCV_CALL = 18, R_RISCV_CALL_PLT = 19,
            R_RISCV_PCREL_HI20 = 23, R_RISCV_PCREL_LO12_I = 24, R_RISCV_PCREL_LO12_S = 25, R_RISCV_HI20 = 26,
            R_RISCV_LO12_I = 27, R_RISCV_LO12_S = 28, R_RISCV_RVC_BRANCH = 44, R_RISCV_RVC_JUMP = 45,
            R_RISCV_ADD32 = 35, R_RISCV_SUB32 = 39, R_RISCV_RELAX = 51, R_RISCV_32_PCREL = 57;

    static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(R_RISCV_32, "R_RISCV_32"),
            Map.entry(R_RISCV_BRANCH, "R_RISCV_BRANCH"), Map.entry(R_RISCV_JAL, "R_RISCV_JAL"),
            Map.entry(R_RISCV_CALL, "R_RISCV_CALL"), Map.entry(R_RISCV_CALL_PLT, "R_RISCV_CALL_PLT"),
            Map.entry(R_RISCV_PCREL_HI20, "R_RISCV_PCREL_HI20"), Map.entry(R_RISCV_PCREL_LO12_I, "R_RISCV_PCREL_LO12_I"),
            Map.entry(R_RISCV_PCREL_LO12_S, "R_RISCV_PCREL_LO12_S"), Map.entry(R_RISCV_HI20, "R_RISCV_HI20"),
            Map.entry(R_RISCV_LO12_I, "R_RISCV_LO12_I"), Map.entry(R_RISCV_LO12_S, "R_RISCV_LO12_S"),
            Map.entry(R_RISCV_RVC_BRANCH, "R_RISCV_RVC_BRANCH"), Map.entry(R_RISCV_RVC_JUMP, "R_RISCV_RVC_JUMP"),
            Map.entry(R_RISCV_ADD32, "R_RISCV_ADD32"), Map.entry(R_RISCV_SUB32, "R_RISCV_SUB32"),
            Map.entry(R_RISCV_RELAX, "R_RISCV_RELAX"), Map.entry(R_RISCV_32_PCREL, "R_RISCV_32_PCREL"));

    /**
     * Patches {@code code} (in place) for load address {@code base}.
     *
     * @return every problem (unresolved symbol, value out of a field's range, unknown type); empty on success
     */
    static List<String> apply(byte[] code, int base, List<Relocation> relocations, Function<Symbol, OptionalLong> resolve) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Integer> hiValues = new HashMap<>();
        List<Relocation> lows = new ArrayList<>();
        for (Relocation r : relocations) {
            int at = r.offset();
            int width = r.type() == R_RISCV_RVC_BRANCH || r.type() == R_RISCV_RVC_JUMP ? 2
                    : r.type() == R_RISCV_CALL || r.type() == R_RISCV_CALL_PLT ? 8 : r.type() == R_RISCV_RELAX ? 0 : 4;
            if (at + width > code.length) {
                problems.add(r.typeName() + " at offset " + at + " runs past the code's " + code.length + " bytes");
                continue;
            }
            if (r.type() == R_RISCV_RELAX) continue; // the loader never relaxes: a hint only
            if (r.type() == R_RISCV_PCREL_LO12_I || r.type() == R_RISCV_PCREL_LO12_S) {
                lows.add(r);
                continue;
            }
            OptionalLong s = resolve.apply(r.symbol());
            if (s.isEmpty()) {
                problems.add("unresolved symbol " + r.symbol() + " (" + r.typeName() + " at offset " + at + ")");
                continue;
            }
            long sa = s.getAsLong() + r.addend();
            int v = (int) sa;
            int pcrel = (int) (sa - (base + at)); // RV32: addresses wrap at 2^32
            switch (r.type()) {
                case R_RISCV_32 -> {
                    if (!fits32(sa)) problems.add(range(r, sa, "32 bits"));
                    else put32(code, at, v);
                }
                case R_RISCV_32_PCREL -> put32(code, at, pcrel);
                case R_RISCV_ADD32 -> put32(code, at, get32(code, at) + v); // label differences in literal data
                case R_RISCV_SUB32 -> put32(code, at, get32(code, at) - v);
                case R_RISCV_HI20 -> {
                    if (!fits32(sa)) problems.add(range(r, sa, "32 bits"));
                    else put32(code, at, withHi20(get32(code, at), v));
                }
                case R_RISCV_LO12_I -> put32(code, at, withLo12I(get32(code, at), v));
                case R_RISCV_LO12_S -> put32(code, at, withLo12S(get32(code, at), v));
                case R_RISCV_PCREL_HI20 -> {
                    put32(code, at, withHi20(get32(code, at), pcrel));
                    hiValues.put(at, pcrel);
                }
                case R_RISCV_CALL, R_RISCV_CALL_PLT -> {
                    put32(code, at, withHi20(get32(code, at), pcrel));
                    put32(code, at + 4, withLo12I(get32(code, at + 4), pcrel));
                }
                case R_RISCV_BRANCH -> {
                    if (!fitsSigned(pcrel, 13) || (pcrel & 1) != 0) problems.add(range(r, sa, "±4 KiB"));
                    else put32(code, at, withBranch(get32(code, at), pcrel));
                }
                case R_RISCV_JAL -> {
                    if (!fitsSigned(pcrel, 21) || (pcrel & 1) != 0) problems.add(range(r, sa, "±1 MiB"));
                    else put32(code, at, withJal(get32(code, at), pcrel));
                }
                case R_RISCV_RVC_BRANCH -> {
                    if (!fitsSigned(pcrel, 9) || (pcrel & 1) != 0) problems.add(range(r, sa, "±256 bytes"));
                    else put16(code, at, withCb(get16(code, at), pcrel));
                }
                case R_RISCV_RVC_JUMP -> {
                    if (!fitsSigned(pcrel, 12) || (pcrel & 1) != 0) problems.add(range(r, sa, "±2 KiB"));
                    else put16(code, at, withCj(get16(code, at), pcrel));
                }
                default -> problems.add("relocation type " + r.type() + " (" + r.typeName() + ") at offset " + at
                        + " is not one the RFPC loader applies");
            }
        }
        for (Relocation r : lows) {
            OptionalLong s = resolve.apply(r.symbol());
            long auipc = s.isEmpty() ? -1 : s.getAsLong() + r.addend() - Integer.toUnsignedLong(base);
            Integer v = auipc >= 0 && auipc < code.length ? hiValues.get((int) auipc) : null;
            if (v == null) {
                problems.add(r.typeName() + " at offset " + r.offset() + " has no R_RISCV_PCREL_HI20 at the auipc it names ("
                        + r.symbol() + (r.addend() == 0 ? "" : "+" + r.addend()) + ")");
                continue;
            }
            int insn = get32(code, r.offset());
            put32(code, r.offset(), r.type() == R_RISCV_PCREL_LO12_I ? withLo12I(insn, v) : withLo12S(insn, v));
        }
        return problems;
    }

    private static boolean fits32(long v) {
        return (v >>> 32) == 0 || v == (int) v;
    }

    private static boolean fitsSigned(int v, int bits) {
        return v >= -(1 << (bits - 1)) && v < (1 << (bits - 1));
    }

    private static String range(Relocation r, long value, String range) {
        return r.typeName() + " at offset " + r.offset() + " to " + r.symbol() + ": 0x" + Long.toHexString(value)
                + " is out of range (" + range + ")";
    }

    static int withHi20(int insn, int v) {
        return (insn & 0xfff) | ((v + 0x800) >>> 12) << 12;
    }

    static int withLo12I(int insn, int v) {
        return (insn & 0x000fffff) | (v & 0xfff) << 20;
    }

    static int withLo12S(int insn, int v) {
        int lo = v & 0xfff;
        return (insn & 0x01fff07f) | (lo >>> 5) << 25 | (lo & 0x1f) << 7;
    }

    static int withBranch(int insn, int v) {
        return (insn & 0x01fff07f) | ((v >>> 12) & 1) << 31 | ((v >>> 5) & 0x3f) << 25 | ((v >>> 1) & 0xf) << 8
                | ((v >>> 11) & 1) << 7;
    }

    static int withJal(int insn, int v) {
        return (insn & 0xfff) | ((v >>> 20) & 1) << 31 | ((v >>> 1) & 0x3ff) << 21 | ((v >>> 11) & 1) << 20
                | ((v >>> 12) & 0xff) << 12;
    }

    static int withCb(int c, int v) {
        return (c & 0xe383) | ((v >>> 8) & 1) << 12 | ((v >>> 3) & 3) << 10 | ((v >>> 6) & 3) << 5 | ((v >>> 1) & 3) << 3
                | ((v >>> 5) & 1) << 2;
    }

    static int withCj(int c, int v) {
        return (c & 0xe003) | ((v >>> 11) & 1) << 12 | ((v >>> 4) & 1) << 11 | ((v >>> 8) & 3) << 9 | ((v >>> 10) & 1) << 8
                | ((v >>> 6) & 1) << 7 | ((v >>> 7) & 1) << 6 | ((v >>> 1) & 7) << 3 | ((v >>> 5) & 1) << 2;
    }

    static int get32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    static void put32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    static int get16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
