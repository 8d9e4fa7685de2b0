package org.obpf.jit.x86_64;

import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.Label;

/**
 * x86-64 encoders over a {@link CodeBuffer}: one method per instruction form, named after the
 * Intel manual, pure functions of their operands. Memory operands are {@code [base + disp]};
 * {@code w} selects 64-bit (REX.W) or 32-bit operation. Nothing here knows BPF.
 */
final class X86Asm {
    final CodeBuffer buf;

    X86Asm(CodeBuffer buf) {
        this.buf = buf;
    }

    // ALU opcodes of the "op r/m, r" form, and /digit extensions of the 0x81/0x83 group.
    static final int ADD = 0x01, OR = 0x09, AND = 0x21, SUB = 0x29, XOR = 0x31, CMP = 0x39, TEST = 0x85, MOV = 0x89;
    static final int EXT_ADD = 0, EXT_OR = 1, EXT_AND = 4, EXT_SUB = 5, EXT_XOR = 6, EXT_CMP = 7;
    // Shift group /digit.
    static final int SHL = 4, SHR = 5, SAR = 7, ROR = 1;
    // Condition codes.
    static final int CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7, CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf;

    // ---- prefixes and operand bytes ----

    private void rex(boolean w, Reg reg, Reg rm, boolean force) {
        int r = 0x40 | (w ? 8 : 0) | (reg != null && reg.extended() ? 4 : 0) | (rm != null && rm.extended() ? 1 : 0);
        if (r != 0x40 || force) buf.emit8(r);
    }

    private void modrmReg(int reg, Reg rm) {
        buf.emit8(0xc0 | (reg & 7) << 3 | rm.low3());
    }

    /** ModRM (+SIB, +displacement) for {@code [base + disp]}. */
    private void modrmMem(int reg, Reg base, int disp) {
        int r = (reg & 7) << 3;
        int mod;
        if (disp == 0 && base.low3() != 5) mod = 0;
        else if (disp == (byte) disp) mod = 1;
        else mod = 2;
        buf.emit8(mod << 6 | r | base.low3());
        if (base.low3() == 4) buf.emit8(0x24);
        if (mod == 1) buf.emit8(disp);
        else if (mod == 2) buf.emit32(disp);
    }

    private static int num(Reg r) {
        return r.ordinal();
    }

    // ---- register forms ----

    /** {@code op dst, src} for the "op r/m, r" opcodes: add, or, and, sub, xor, cmp, test, mov. */
    void aluRR(int opcode, boolean w, Reg dst, Reg src) {
        rex(w, src, dst, false);
        buf.emit8(opcode);
        modrmReg(num(src), dst);
    }

    void movRR(boolean w, Reg dst, Reg src) {
        aluRR(MOV, w, dst, src);
    }

    /** {@code op dst, imm} of the 0x81/0x83 group (imm8 form when it fits). */
    void aluRI(int ext, boolean w, Reg dst, int imm) {
        rex(w, null, dst, false);
        if (imm == (byte) imm) {
            buf.emit8(0x83);
            modrmReg(ext, dst);
            buf.emit8(imm);
        } else {
            buf.emit8(0x81);
            modrmReg(ext, dst);
            buf.emit32(imm);
        }
    }

    /** {@code test dst, imm32}. */
    void testRI(boolean w, Reg dst, int imm) {
        rex(w, null, dst, false);
        buf.emit8(0xf7);
        modrmReg(0, dst);
        buf.emit32(imm);
    }

    /** {@code mov r32, imm32}: zero-extends into the 64-bit register. */
    void movRI32(Reg dst, int imm) {
        rex(false, null, dst, false);
        buf.emit8(0xb8 + dst.low3());
        buf.emit32(imm);
    }

    /** {@code mov r64, simm32}: sign-extended. */
    void movRI64sx(Reg dst, int imm) {
        rex(true, null, dst, false);
        buf.emit8(0xc7);
        modrmReg(0, dst);
        buf.emit32(imm);
    }

    /** {@code movabs r64, imm64}; returns the offset of the 8-byte immediate. */
    int movabs(Reg dst, long imm) {
        rex(true, null, dst, false);
        buf.emit8(0xb8 + dst.low3());
        int at = buf.offset();
        buf.emit64(imm);
        return at;
    }

    /** {@code movabs r64, symbol + addend} with an {@code R_X86_64_64} relocation. */
    void movabs(Reg dst, Symbol symbol, long addend) {
        int at = movabs(dst, 0);
        buf.relocate(at, X86_64JitBackend.R_X86_64_64, "R_X86_64_64", symbol, addend);
    }

    /** The shortest exact load of a 64-bit constant. */
    void loadImm64(Reg dst, long imm) {
        if (imm == 0) aluRR(XOR, false, dst, dst);
        else if (imm == (imm & 0xffffffffL)) movRI32(dst, (int) imm);
        else if (imm == (int) imm) movRI64sx(dst, (int) imm);
        else movabs(dst, imm);
    }

    /** {@code imul dst, src}. */
    void imulRR(boolean w, Reg dst, Reg src) {
        rex(w, dst, src, false);
        buf.emit(0x0f, 0xaf);
        modrmReg(num(dst), src);
    }

    /** {@code imul dst, src, imm}. */
    void imulRRI(boolean w, Reg dst, Reg src, int imm) {
        rex(w, dst, src, false);
        if (imm == (byte) imm) {
            buf.emit8(0x6b);
            modrmReg(num(dst), src);
            buf.emit8(imm);
        } else {
            buf.emit8(0x69);
            modrmReg(num(dst), src);
            buf.emit32(imm);
        }
    }

    /** Shift group by an immediate: {@code shl/shr/sar/ror dst, imm8}. */
    void shiftRI(int ext, boolean w, Reg dst, int imm) {
        rex(w, null, dst, false);
        buf.emit8(0xc1);
        modrmReg(ext, dst);
        buf.emit8(imm);
    }

    /** Shift group by {@code cl}. */
    void shiftRCl(int ext, boolean w, Reg dst) {
        rex(w, null, dst, false);
        buf.emit8(0xd3);
        modrmReg(ext, dst);
    }

    /** {@code ror r16, 8}: swaps the two low bytes. */
    void ror16(Reg dst, int imm) {
        buf.emit8(0x66);
        rex(false, null, dst, false);
        buf.emit8(0xc1);
        modrmReg(ROR, dst);
        buf.emit8(imm);
    }

    void neg(boolean w, Reg dst) {
        rex(w, null, dst, false);
        buf.emit8(0xf7);
        modrmReg(3, dst);
    }

    /** {@code div src} (unsigned) or {@code idiv src} (signed): rdx:rax / src. */
    void div(boolean w, boolean signed, Reg src) {
        rex(w, null, src, false);
        buf.emit8(0xf7);
        modrmReg(signed ? 7 : 6, src);
    }

    /** {@code cqo} (64) or {@code cdq} (32): sign-extend rax into rdx. */
    void cqo(boolean w) {
        if (w) buf.emit8(0x48);
        buf.emit8(0x99);
    }

    void bswap(boolean w, Reg r) {
        rex(w, null, r, false);
        buf.emit(0x0f, 0xc8 + r.low3());
    }

    /** {@code movzx r32, r8/r16}: zero-extends to 64 bits. */
    void movzxRR(int fromBits, Reg dst, Reg src) {
        rex(false, dst, src, fromBits == 8 && src.byteNeedsRex());
        buf.emit(0x0f, fromBits == 8 ? 0xb6 : 0xb7);
        modrmReg(num(dst), src);
    }

    /** {@code movsx r32/r64, r8/r16} and {@code movsxd r64, r32}. */
    void movsxRR(boolean w, int fromBits, Reg dst, Reg src) {
        rex(w, dst, src, fromBits == 8 && src.byteNeedsRex());
        if (fromBits == 32) buf.emit8(0x63);
        else buf.emit(0x0f, fromBits == 8 ? 0xbe : 0xbf);
        modrmReg(num(dst), src);
    }

    // ---- memory forms ----

    /** Zero-extending load of {@code bytes} (1, 2, 4, 8) from {@code [base + disp]}. */
    void load(int bytes, Reg dst, Reg base, int disp) {
        switch (bytes) {
            case 1 -> { rex(false, dst, base, false); buf.emit(0x0f, 0xb6); }
            case 2 -> { rex(false, dst, base, false); buf.emit(0x0f, 0xb7); }
            case 4 -> { rex(false, dst, base, false); buf.emit8(0x8b); }
            default -> { rex(true, dst, base, false); buf.emit8(0x8b); }
        }
        modrmMem(num(dst), base, disp);
    }

    /** Sign-extending load of 1, 2 or 4 bytes into a 64-bit register. */
    void loadSx(int bytes, Reg dst, Reg base, int disp) {
        rex(true, dst, base, false);
        switch (bytes) {
            case 1 -> buf.emit(0x0f, 0xbe);
            case 2 -> buf.emit(0x0f, 0xbf);
            default -> buf.emit8(0x63);
        }
        modrmMem(num(dst), base, disp);
    }

    /** Store of the low {@code bytes} of {@code src} to {@code [base + disp]}. */
    void store(int bytes, Reg base, int disp, Reg src) {
        if (bytes == 2) buf.emit8(0x66);
        rex(bytes == 8, src, base, bytes == 1 && src.byteNeedsRex());
        buf.emit8(bytes == 1 ? 0x88 : 0x89);
        modrmMem(num(src), base, disp);
    }

    /** Store of an immediate: {@code mov byte/word/dword/qword [base + disp], imm} (qword: sign-extended imm32). */
    void storeImm(int bytes, Reg base, int disp, int imm) {
        if (bytes == 2) buf.emit8(0x66);
        rex(bytes == 8, null, base, false);
        buf.emit8(bytes == 1 ? 0xc6 : 0xc7);
        modrmMem(0, base, disp);
        switch (bytes) {
            case 1 -> buf.emit8(imm);
            case 2 -> buf.emit16(imm);
            default -> buf.emit32(imm);
        }
    }

    /** {@code op [base + disp], src} for the "op r/m, r" opcodes, optionally with {@code lock}. */
    void aluMR(boolean lock, int opcode, boolean w, Reg base, int disp, Reg src) {
        if (lock) buf.emit8(0xf0);
        rex(w, src, base, false);
        buf.emit8(opcode);
        modrmMem(num(src), base, disp);
    }

    /** {@code op reg, [base + disp]} for the "op r, r/m" direction (opcode + 2): mov, cmp, add... */
    void aluRM(int opcode, boolean w, Reg dst, Reg base, int disp) {
        rex(w, dst, base, false);
        buf.emit8(opcode + 2);
        modrmMem(num(dst), base, disp);
    }

    /** {@code op dword/qword [base + disp], imm} of the 0x81/0x83 group. */
    void aluMI(int ext, boolean w, Reg base, int disp, int imm) {
        rex(w, null, base, false);
        if (imm == (byte) imm) {
            buf.emit8(0x83);
            modrmMem(ext, base, disp);
            buf.emit8(imm);
        } else {
            buf.emit8(0x81);
            modrmMem(ext, base, disp);
            buf.emit32(imm);
        }
    }

    /** {@code inc/dec dword [base + disp]}. */
    void incDec(boolean inc, Reg base, int disp) {
        rex(false, null, base, false);
        buf.emit8(0xff);
        modrmMem(inc ? 0 : 1, base, disp);
    }

    /** {@code lock xadd [base + disp], src}. */
    void lockXadd(boolean w, Reg base, int disp, Reg src) {
        buf.emit8(0xf0);
        rex(w, src, base, false);
        buf.emit(0x0f, 0xc1);
        modrmMem(num(src), base, disp);
    }

    /** {@code xchg [base + disp], src} (locked by the processor). */
    void xchg(boolean w, Reg base, int disp, Reg src) {
        rex(w, src, base, false);
        buf.emit8(0x87);
        modrmMem(num(src), base, disp);
    }

    /** {@code lock cmpxchg [base + disp], src}: compares with rax. */
    void lockCmpxchg(boolean w, Reg base, int disp, Reg src) {
        buf.emit8(0xf0);
        rex(w, src, base, false);
        buf.emit(0x0f, 0xb1);
        modrmMem(num(src), base, disp);
    }

    /** {@code lea dst, [base + disp]}. */
    void lea(Reg dst, Reg base, int disp) {
        rex(true, dst, base, false);
        buf.emit8(0x8d);
        modrmMem(num(dst), base, disp);
    }

    /** {@code lea dst, [rip + disp32]}: the address of a label of this image. */
    void leaRip(Reg dst, Label target) {
        rex(true, dst, null, false);
        buf.emit8(0x8d);
        buf.emit8((dst.low3() << 3) | 5);
        int at = buf.offset();
        buf.emit32(0);
        buf.fixup(target, at, 4, at + 4);
    }

    // ---- control ----

    void push(Reg r) {
        rex(false, null, r, false);
        buf.emit8(0x50 + r.low3());
    }

    void pop(Reg r) {
        rex(false, null, r, false);
        buf.emit8(0x58 + r.low3());
    }

    void ret() {
        buf.emit8(0xc3);
    }

    /** {@code call r64}. */
    void callR(Reg r) {
        rex(false, null, r, false);
        buf.emit8(0xff);
        modrmReg(2, r);
    }

    /** {@code jmp r64}. */
    void jmpR(Reg r) {
        rex(false, null, r, false);
        buf.emit8(0xff);
        modrmReg(4, r);
    }

    /** {@code call rel32} to a label of this image. */
    void call(Label target) {
        buf.branchNear(target, 0xe8);
    }

    /** {@code jmp rel32}, whatever the distance. */
    void jmpNear(Label target) {
        buf.branchNear(target, 0xe9);
    }

    /** {@code jmp rel8/rel32}, the size settled by the convergence passes. */
    void jmp(Label target) {
        buf.branch(target, new int[] {0xeb}, new int[] {0xe9});
    }

    /** {@code jcc rel8/rel32}. */
    void jcc(int cc, Label target) {
        buf.branch(target, new int[] {0x70 | cc}, new int[] {0x0f, 0x80 | cc});
    }
}
