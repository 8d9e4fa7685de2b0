package org.obpf.jit.riscv;

import static org.obpf.jit.riscv.RvAsm.*;

import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.Label;

/**
 * The macro-assembler above {@link RvAsm}: emits into a {@link CodeBuffer} and is the one place
 * where a compressed form is chosen over the full one (the kernel's {@code emit_*} wrappers with
 * their {@code rvc_enabled()} checks). With compression off every instruction is 32 bits.
 */
final class RvEmitter {
    final CodeBuffer buf;
    final boolean rv64;
    private boolean rvc;
    final boolean zba;
    final boolean zbb;

    RvEmitter(CodeBuffer buf, boolean rv64, boolean rvc, boolean zba, boolean zbb) {
        this.buf = buf;
        this.rv64 = rv64;
        this.rvc = rvc;
        this.zba = zba && rv64;
        this.zbb = zbb;
    }

    /** Switches compression on or off for the code that follows (the fixed-size entry stub is never compressed). */
    boolean compress(boolean on) {
        boolean was = rvc;
        rvc = on;
        return was;
    }

    boolean rvc() {
        return rvc;
    }

    void emit(int insn) {
        buf.emit32(insn);
    }

    void emitC(int insn) {
        buf.emit16(insn);
    }

    private boolean both(Reg a, Reg b) {
        return a.compressible() && b.compressible();
    }

    // ---- moves and immediates ----

    void mv(Reg rd, Reg rs) {
        if (rd == rs) return;
        if (rvc && rd != Reg.ZERO && rs != Reg.ZERO) emitC(c_mv(rd, rs));
        else addi(rd, rs, 0);
    }

    void addi(Reg rd, Reg rs, int imm) {
        if (rvc && rd != Reg.ZERO) {
            if (rs == Reg.ZERO && isInt(imm, 6)) { emitC(c_li(rd, imm)); return; }
            if (rd == rs && imm != 0 && isInt(imm, 6)) { emitC(c_addi(rd, imm)); return; }
            if (rd == Reg.SP && rs == Reg.SP && imm != 0 && (imm & 15) == 0 && isInt(imm, 10)) { emitC(c_addi16sp(imm)); return; }
            if (rs == Reg.SP && rd.compressible() && imm > 0 && (imm & 3) == 0 && isUint(imm, 10)) { emitC(c_addi4spn(rd, imm)); return; }
            if (imm == 0 && rs != Reg.ZERO) { emitC(c_mv(rd, rs)); return; }
        }
        emit(RvAsm.addi(rd, rs, imm));
    }

    void li(Reg rd, int imm12) {
        addi(rd, Reg.ZERO, imm12);
    }

    void addiw(Reg rd, Reg rs, int imm) {
        if (rvc && rd == rs && rd != Reg.ZERO && isInt(imm, 6)) emitC(c_addiw(rd, imm));
        else emit(RvAsm.addiw(rd, rs, imm));
    }

    void lui(Reg rd, int imm20) {
        int v = imm20 << 12 >> 12;
        if (rvc && rd != Reg.ZERO && rd != Reg.SP && v != 0 && isInt(v, 6)) emitC(c_lui(rd, imm20));
        else emit(RvAsm.lui(rd, imm20));
    }

    /**
     * {@code rd = val}, the kernel's {@code emit_imm}: lui/addi(w) for 32-bit values, else the
     * upper part recursively, a shift and the low twelve bits. On RV32 only 32-bit values exist.
     */
    void imm(Reg rd, long val) {
        long upper = (val + (1 << 11)) >> 12;
        int lower = (int) (val << 52 >> 52);
        if (val == (int) val || !rv64) {
            if (upper == 0) {
                li(rd, lower);
                return;
            }
            lui(rd, (int) (upper & 0xfffff));
            // lui alone is exact when the low twelve bits are zero (it sign-extends bit 31 on RV64).
            if (lower != 0) {
                if (rv64) addiw(rd, rd, lower);
                else addi(rd, rd, lower);
            }
            return;
        }
        int shift = Long.numberOfTrailingZeros(upper);
        upper >>= shift;
        shift += 12;
        imm(rd, upper);
        slli(rd, rd, shift);
        if (lower != 0) addi(rd, rd, lower);
    }

    // ---- register-register ----

    void add(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd != Reg.ZERO && rd == rs1 && rs2 != Reg.ZERO) emitC(c_add(rd, rs2));
        else if (rvc && rd != Reg.ZERO && rd == rs2 && rs1 != Reg.ZERO) emitC(c_add(rd, rs1));
        else emit(RvAsm.add(rd, rs1, rs2));
    }

    void sub(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd == rs1 && both(rd, rs2)) emitC(c_sub(rd, rs2));
        else emit(RvAsm.sub(rd, rs1, rs2));
    }

    void and(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd == rs1 && both(rd, rs2)) emitC(c_and(rd, rs2));
        else if (rvc && rd == rs2 && both(rd, rs1)) emitC(c_and(rd, rs1));
        else emit(RvAsm.and(rd, rs1, rs2));
    }

    void or(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd == rs1 && both(rd, rs2)) emitC(c_or(rd, rs2));
        else if (rvc && rd == rs2 && both(rd, rs1)) emitC(c_or(rd, rs1));
        else emit(RvAsm.or(rd, rs1, rs2));
    }

    void xor(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd == rs1 && both(rd, rs2)) emitC(c_xor(rd, rs2));
        else if (rvc && rd == rs2 && both(rd, rs1)) emitC(c_xor(rd, rs1));
        else emit(RvAsm.xor(rd, rs1, rs2));
    }

    void addw(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd == rs1 && both(rd, rs2)) emitC(c_addw(rd, rs2));
        else if (rvc && rd == rs2 && both(rd, rs1)) emitC(c_addw(rd, rs1));
        else emit(RvAsm.addw(rd, rs1, rs2));
    }

    void subw(Reg rd, Reg rs1, Reg rs2) {
        if (rvc && rd == rs1 && both(rd, rs2)) emitC(c_subw(rd, rs2));
        else emit(RvAsm.subw(rd, rs1, rs2));
    }

    // ---- immediates and shifts ----

    void andi(Reg rd, Reg rs, int imm) {
        if (rvc && rd == rs && rd.compressible() && isInt(imm, 6)) emitC(c_andi(rd, imm));
        else emit(RvAsm.andi(rd, rs, imm));
    }

    void slli(Reg rd, Reg rs, int sh) {
        if (rvc && rd == rs && rd != Reg.ZERO && sh != 0) emitC(c_slli(rd, sh));
        else emit(RvAsm.slli(rd, rs, sh));
    }

    void srli(Reg rd, Reg rs, int sh) {
        if (rvc && rd == rs && rd.compressible() && sh != 0) emitC(c_srli(rd, sh));
        else emit(RvAsm.srli(rd, rs, sh));
    }

    void srai(Reg rd, Reg rs, int sh) {
        if (rvc && rd == rs && rd.compressible() && sh != 0) emitC(c_srai(rd, sh));
        else emit(RvAsm.srai(rd, rs, sh));
    }

    /** {@code rd = zext32(rs)}: {@code zext.w} with Zba, else two shifts (RV64 only). */
    void zextW(Reg rd, Reg rs) {
        if (zba) {
            emit(add_uw(rd, rs, Reg.ZERO));
        } else {
            slli(rd, rs, 32);
            srli(rd, rd, 32);
        }
    }

    /** {@code rd = sext32(rs)} (RV64): {@code sext.w}, which is {@code addiw rd, rs, 0}. */
    void sextW(Reg rd, Reg rs) {
        addiw(rd, rs, 0);
    }

    // ---- memory ----

    /** A load of {@code size} bytes, sign-extended when {@code signed}; 12-bit offset. */
    void load(int size, boolean signed, Reg rd, Reg base, int off) {
        switch (size) {
            case 1 -> emit(signed ? lb(rd, base, off) : lbu(rd, base, off));
            case 2 -> emit(signed ? lh(rd, base, off) : lhu(rd, base, off));
            case 4 -> {
                if (signed || !rv64) {
                    if (rvc && base == Reg.SP && rd != Reg.ZERO && off >= 0 && (off & 3) == 0 && isUint(off, 8)) emitC(c_lwsp(rd, off));
                    else if (rvc && both(rd, base) && off >= 0 && (off & 3) == 0 && isUint(off, 7)) emitC(c_lw(rd, base, off));
                    else emit(lw(rd, base, off));
                } else {
                    emit(lwu(rd, base, off));
                }
            }
            default -> {
                if (rvc && base == Reg.SP && rd != Reg.ZERO && off >= 0 && (off & 7) == 0 && isUint(off, 9)) emitC(c_ldsp(rd, off));
                else if (rvc && both(rd, base) && off >= 0 && (off & 7) == 0 && isUint(off, 8)) emitC(c_ld(rd, base, off));
                else emit(ld(rd, base, off));
            }
        }
    }

    void store(int size, Reg src, Reg base, int off) {
        switch (size) {
            case 1 -> emit(sb(src, base, off));
            case 2 -> emit(sh(src, base, off));
            case 4 -> {
                if (rvc && base == Reg.SP && off >= 0 && (off & 3) == 0 && isUint(off, 8)) emitC(c_swsp(src, off));
                else if (rvc && both(src, base) && off >= 0 && (off & 3) == 0 && isUint(off, 7)) emitC(c_sw(src, base, off));
                else emit(sw(src, base, off));
            }
            default -> {
                if (rvc && base == Reg.SP && off >= 0 && (off & 7) == 0 && isUint(off, 9)) emitC(c_sdsp(src, off));
                else if (rvc && both(src, base) && off >= 0 && (off & 7) == 0 && isUint(off, 8)) emitC(c_sd(src, base, off));
                else emit(sd(src, base, off));
            }
        }
    }

    /** A pointer-sized load or store: {@code ld}/{@code sd} on RV64, {@code lw}/{@code sw} on RV32. */
    void loadPtr(Reg rd, Reg base, int off) {
        load(rv64 ? 8 : 4, true, rd, base, off);
    }

    void storePtr(Reg src, Reg base, int off) {
        store(rv64 ? 8 : 4, src, base, off);
    }

    // ---- control flow ----

    void jr(Reg rs) {
        if (rvc) emitC(c_jr(rs));
        else emit(jalr(Reg.ZERO, rs, 0));
    }

    void ret() {
        jr(Reg.RA);
    }

    /** {@code jalr ra, rs, 0}. */
    void callR(Reg rs) {
        if (rvc) emitC(c_jalr(rs));
        else emit(jalr(Reg.RA, rs, 0));
    }

    /** {@code jal rd, target}: ±1 MiB. */
    void jal(Reg rd, Label target) {
        int at = buf.offset();
        emit(RvAsm.jal(rd, 0));
        buf.fixup(target, at, at, (code, p, d) -> {
            if (!isInt(d, 21)) return false;
            put32(code, p, withJumpOffset(get32(code, p), (int) d));
            return true;
        });
    }

    /**
     * An unconditional jump: {@code c.j} (±2 KiB) when compression is on and the target is in
     * range (decided by the convergence passes), else {@code jal zero}.
     */
    void j(Label target) {
        if (rvc && buf.fitsShort(target, 2, 4, -2048 - 2, 2046 - 2)) {
            int at = buf.offset();
            emitC(c_j(0));
            buf.fixup(target, at, at, (code, p, d) -> {
                if (!isInt(d, 12)) return false;
                put16(code, p, c_j((int) d));
                return true;
            });
        } else {
            jal(Reg.ZERO, target);
        }
    }

    /**
     * {@code if (rs1 cond rs2) goto target}: a B-type branch (±4 KiB), else the inverted branch
     * over a {@code jal} (±1 MiB); the choice is the convergence passes'. Compares with zero
     * use {@code c.beqz}/{@code c.bnez} when they reach.
     */
    void branch(int cond, Reg rs1, Reg rs2, Label target) {
        boolean cz = rvc && (cond == BEQ || cond == BNE) && rs2 == Reg.ZERO && rs1.compressible();
        // Ranges are from the branch's start (RISC-V), the buffer's from its end; two sites when cz.
        boolean czFits = cz && buf.fitsShort(target, 2, 4, -256 - 2, 254 - 2);
        boolean bFits = buf.fitsShort(target, 4, 8, -4096 - 4, 4094 - 4);
        if (czFits) {
            int at = buf.offset();
            boolean eq = cond == BEQ;
            emitC(eq ? c_beqz(rs1, 0) : c_bnez(rs1, 0));
            buf.fixup(target, at, at, (code, p, d) -> {
                if (!isInt(d, 9)) return false;
                put16(code, p, eq ? c_beqz(rs1, (int) d) : c_bnez(rs1, (int) d));
                return true;
            });
            return;
        }
        if (bFits) {
            int at = buf.offset();
            emit(RvAsm.branch(cond, rs1, rs2, 0));
            buf.fixup(target, at, at, (code, p, d) -> {
                if (!isInt(d, 13)) return false;
                put32(code, p, withBranchOffset(get32(code, p), (int) d));
                return true;
            });
        } else {
            emit(RvAsm.branch(invert(cond), rs1, rs2, 8));
            jal(Reg.ZERO, target);
        }
    }

    static int get32(byte[] code, int p) {
        return (code[p] & 0xff) | (code[p + 1] & 0xff) << 8 | (code[p + 2] & 0xff) << 16 | (code[p + 3] & 0xff) << 24;
    }

    static void put32(byte[] code, int p, int v) {
        code[p] = (byte) v;
        code[p + 1] = (byte) (v >>> 8);
        code[p + 2] = (byte) (v >>> 16);
        code[p + 3] = (byte) (v >>> 24);
    }

    static void put16(byte[] code, int p, int v) {
        code[p] = (byte) v;
        code[p + 1] = (byte) (v >>> 8);
    }
}
