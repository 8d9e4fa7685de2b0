package org.obpf.offload.nfp.sim;

import static org.obpf.offload.nfp.sim.Operand.*;

/**
 * One NFP-6xxx microengine context as the BPF code uses it: general-purpose registers in banks A
 * and B, read and write transfer registers, next-neighbour registers, local memory reached
 * through four LM index registers, the condition codes and the "previous ALU" state (indirect
 * shift amounts, ASHR sign, indirect command overrides), packet memory (CTM) and DRAM through
 * memory commands, local CSRs, and the multiplier.
 *
 * <p>Timing the code relies on is modelled as the hardware has it: branches execute their
 * defer slots, a write to an {@code ACT_LM_ADDR} CSR takes effect after three instructions, a
 * command's data is taken from the write transfer registers after its defer slots, and a
 * {@code local_csr_rd} value arrives in the next {@code immed}. Instructions and cycles are
 * counted (one cycle each, commands add their memory latency, firmware routines their cost).
 *
 * <p>Semantics the databook leaves to us (indirect shift by 0): the amount of an indirect shift
 * is the low 5 bits of the previous ALU instruction's A operand; for the double shift
 * ({@code R_DSHF}) an amount with bit 5 set and low bits 0 shifts by 32 (the result is A), which
 * is what jit-nfp's 64-bit shift sequences need for an amount of 0 (their high word computes
 * {@code 32 - n}).
 */
public final class Microengine {
    public static final int CODE_WORDS = 0x4000;
    public static final int LM_BYTES = 4096;
    /** Memory latencies in cycles, for the cycle count. */
    static final int CTM_CYCLES = 50, DRAM_CYCLES = 150;

    final int[] gprA = new int[32], gprB = new int[32];
    final int[] xferIn = new int[32], xferOut = new int[32];
    final int[] nn = new int[128];
    final int[] lm = new int[LM_BYTES / 4];
    final int[] lmAddr = new int[4];
    private final int[] lmPending = new int[4];
    private final int[] lmDelay = new int[4];
    /** LM address writes still waiting to take effect. */
    private int lmWrites;

    private boolean z, n, c, v;
    private int prevResult, prevA;
    private int csrValue;
    private boolean csrPending;
    private long mulL, mulR;
    private int mulStep = -1;

    private final Op[] code = new Op[CODE_WORDS];
    private final Firmware firmware;
    private final java.util.random.RandomGenerator random;

    /** Packet memory (CTM) at 32-bit address {@link #ctmBase}. */
    public final byte[] ctm;
    public final int ctmBase;
    /** DRAM at 40-bit address {@link #dramBase}. */
    public final byte[] dram;
    public final long dramBase;

    private long instructions, cycles;
    /** A code-store word whose execution is recorded ({@link #watched()}): the device watches the outro's exit entry. */
    private int watch = -1;
    private boolean watched;
    /** Deferred command: executes when {@link #cmdDelay} reaches 0. */
    private Op cmdPending;
    private int cmdDelay = -1;
    private long cmdAddr;

    public Microengine(byte[] ctm, int ctmBase, byte[] dram, long dramBase, Firmware firmware, long seed) {
        this.ctm = ctm;
        this.ctmBase = ctmBase;
        this.dram = dram;
        this.dramBase = dramBase;
        this.firmware = firmware;
        this.random = new java.util.SplittableRandom(seed);
    }

    // ---- code store ----

    /**
     * Puts linked words (with ECC) at {@code word}: each word's relocation byte must be clear and
     * its ECC right; each is decoded once here.
     */
    public void load(int word, long[] words) {
        if (word < 0 || word + words.length > CODE_WORDS) {
            throw new IllegalArgumentException("code of " + words.length + " words at word " + word + " does not fit the code store of " + CODE_WORDS);
        }
        // an unlinked image first: its ECC is missing everywhere, its relocation bytes say why
        for (int i = 0; i < words.length; i++) {
            if ((words[i] & Fields.RELO_MASK) != 0) {
                throw new IllegalArgumentException("word " + i + " (code store word " + (word + i) + "): relocation byte "
                        + (words[i] >>> 56) + " still set: the image is not linked");
            }
        }
        Op[] decoded = new Op[words.length];
        for (int i = 0; i < words.length; i++) {
            long w = words[i];
            String at = "word " + i + " (code store word " + (word + i) + ")";
            if ((w & ~(Fields.OP_MASK | Fields.ECC_MASK)) != 0) {
                throw new IllegalArgumentException(at + ": bits above the ECC are set in 0x" + Long.toHexString(w));
            }
            long insn = w & Fields.OP_MASK;
            if ((w & Fields.ECC_MASK) != Fields.ecc(insn)) {
                throw new IllegalArgumentException(at + ": ECC 0x" + Long.toHexString((w & Fields.ECC_MASK) >>> Fields.OP_BITS)
                        + " does not match the instruction (expected 0x" + Long.toHexString(Fields.ecc(insn) >>> Fields.OP_BITS) + ")");
            }
            try {
                decoded[i] = Op.decode(insn);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ": " + e.getMessage());
            }
        }
        System.arraycopy(decoded, 0, code, word, words.length);
    }

    public void unload(int word, int count) {
        java.util.Arrays.fill(code, word, word + count, null);
    }

    // ---- state for the firmware and the device ----

    public int a(int n) { return gprA[n]; }
    public int b(int n) { return gprB[n]; }
    public void setBoth(int n, int value) { gprA[n] = value; gprB[n] = value; }
    public void setA(int n, int value) { gprA[n] = value; }
    public void setB(int n, int value) { gprB[n] = value; }
    public int lmWord(int byteAddr) { return lm[(byteAddr >>> 2) & (lm.length - 1)]; }
    public void setLmWord(int byteAddr, int value) { lm[(byteAddr >>> 2) & (lm.length - 1)] = value; }
    public int lmAddr(int idx) { return lmAddr[idx]; }
    public void setLmAddr(int idx, int addr) {
        if (lmDelay[idx] > 0) lmWrites--;
        lmAddr[idx] = addr;
        lmDelay[idx] = 0;
    }
    public long instructions() { return instructions; }
    public void watch(int word) { watch = word; watched = false; }
    public boolean watched() { return watched; }
    public long cycles() { return cycles; }

    /** A byte of local memory (LM words hold little-endian bytes, as BPF's stack stores them). */
    public int lmByte(int byteAddr) {
        return lmWord(byteAddr) >>> 8 * (byteAddr & 3) & 0xff;
    }

    /** Clears registers, local memory and pending state for a new packet. */
    public void reset() {
        java.util.Arrays.fill(gprA, 0);
        java.util.Arrays.fill(gprB, 0);
        java.util.Arrays.fill(xferIn, 0);
        java.util.Arrays.fill(xferOut, 0);
        java.util.Arrays.fill(nn, 0);
        java.util.Arrays.fill(lm, 0);
        java.util.Arrays.fill(lmAddr, 0);
        java.util.Arrays.fill(lmDelay, 0);
        lmWrites = 0;
        z = n = c = v = false;
        prevResult = prevA = 0;
        csrPending = false;
        mulStep = -1;
        cmdPending = null;
        cmdDelay = -1;
        instructions = cycles = 0;
    }

    // ---- operands ----

    private int lmIndex(int p) {
        int idx = p & 3, mode = p >>> 2 & 3, off = p >>> 4;
        int word = ((lmAddr[idx] | off << 2) >>> 2) & (lm.length - 1);
        if (mode == 1) lmAddr[idx] += 4;
        else if (mode == 2) lmAddr[idx] -= 4;
        return word;
    }

    private int read(int op) {
        int p = op & 0xffff;
        return switch (op >>> 16) {
            case GPR_A -> gprA[p];
            case GPR_B -> gprB[p];
            case XFER -> xferIn[p];
            case NN -> nn[p];
            case LM -> lm[lmIndex(p)];
            case IMM -> p;
            default -> 0;
        };
    }

    private void write(int op, int value) {
        int p = op & 0xffff;
        switch (op >>> 16) {
            case GPR_A -> gprA[p] = value;
            case GPR_B -> gprB[p] = value;
            case BOTH -> { gprA[p] = value; gprB[p] = value; }
            case XFER -> xferOut[p] = value;
            case NN -> nn[p] = value;
            case LM -> lm[lmIndex(p)] = value;
            default -> { }
        }
    }

    /** The current value of a destination (for partial writes). */
    private int readDst(int op) {
        int p = op & 0xffff;
        return switch (op >>> 16) {
            case GPR_A, BOTH -> gprA[p];
            case GPR_B -> gprB[p];
            case XFER -> xferOut[p];
            case NN -> nn[p];
            case LM -> lm[((lmAddr[p & 3] | (p >>> 4) << 2) >>> 2) & (lm.length - 1)];
            default -> 0;
        };
    }

    // ---- execution ----

    /**
     * Runs from code-store word {@code entry} until the firmware's next-packet entry, at most
     * {@code limit} instructions.
     *
     * @return the code-store word of the branch that went to the next-packet entry
     */
    public int run(int entry, long limit) {
        int pc = entry;
        int branchTo = -1, slots = 0, lastBranch = -1;
        while (true) {
            Op o = pc >= 0 && pc < CODE_WORDS ? code[pc] : null;
            if (o == null) {
                // firmware words hold no loaded code: the firmware is asked only then
                if (!firmware.owns(pc)) throw new SimFault("control reached code-store word " + pc + ", which holds no loaded code");
                if (slots > 0 || branchTo >= 0) throw new SimFault("firmware entry " + pc + " reached inside the defer slots of a branch");
                cycles += firmware.cycles(pc);
                int next = firmware.call(pc, this);
                if (next < 0) return lastBranch;
                pc = next;
                continue;
            }
            if (++instructions > limit) throw new SimFault("instruction limit of " + limit + " reached at code-store word " + pc);
            cycles++;
            if (pc == watch) watched = true;
            int target = exec(o, pc);
            // pending latencies advance once per instruction
            tick();
            if (target >= 0) {
                if (branchTo >= 0) throw new SimFault("branch at word " + pc + " in the defer slots of another branch");
                lastBranch = pc;
                if (o.defer == 0) {
                    pc = target;
                    cycles++;
                    continue;
                }
                branchTo = target;
                slots = o.defer;
                pc++;
                continue;
            }
            if (branchTo >= 0 && --slots == 0) {
                pc = branchTo;
                branchTo = -1;
                cycles++;
                continue;
            }
            pc++;
        }
    }

    private void tick() {
        if (lmWrites > 0) {
            for (int i = 0; i < 4; i++) {
                if (lmDelay[i] > 0 && --lmDelay[i] == 0) {
                    lmAddr[i] = lmPending[i];
                    lmWrites--;
                }
            }
        }
        if (cmdDelay > 0 && --cmdDelay == 0) {
            Op p = cmdPending;
            cmdPending = null;
            cmdDelay = -1;
            command(p, cmdAddr);
        }
    }

    /** Executes one instruction; answers a taken branch's target, or -1. */
    private int exec(Op o, int pc) {
        switch (o.form) {
            case Op.ALU -> alu(o);
            case Op.SHF -> shf(o);
            case Op.LDF -> ldField(o);
            case Op.IMMED -> {
                int val = o.value;
                if (csrPending) {
                    val = csrValue;
                    csrPending = false;
                    write(o.dst, val);
                } else if (o.mask == -1) {
                    write(o.dst, val);
                } else {
                    val = readDst(o.dst) & ~o.mask | val & o.mask;
                    write(o.dst, val);
                }
                prevResult = val;
            }
            case Op.BR -> {
                if (cond(o.cond)) return o.target;
            }
            case Op.BR_BIT -> {
                boolean set = (read(o.a) >>> o.value & 1) != 0;
                if (set == o.flag) return o.target;
            }
            case Op.BR_BYTE -> {
                boolean eq = (read(o.a) >>> 8 * o.mask & 0xff) == o.value;
                if (eq == o.flag) return o.target;
            }
            case Op.BR_ALU -> {
                return (read(o.a) + (o.value << 8)) & 0xffff;
            }
            case Op.CMD -> cmd(o);
            case Op.CSR_WR -> csrWrite(o.csr, read(o.a), pc);
            case Op.CSR_RD -> {
                csrValue = csrRead(o.csr, pc);
                csrPending = true;
            }
            case Op.MUL -> mul(o, pc);
            default -> throw new SimFault("form " + o.form);
        }
        return -1;
    }

    private boolean cond(int cc) {
        return switch (cc) {
            case Alu.BEQ -> z;
            case Alu.BNE -> !z;
            case Alu.BMI -> n;
            case Alu.BHS -> c;
            case Alu.BLO -> !c;
            case Alu.BGE -> n == v;
            case Alu.BLT -> n != v;
            default -> true;
        };
    }

    private void alu(Op o) {
        int fa = read(o.a), fb = read(o.b);
        int l = o.swap ? fb : fa, r = o.swap ? fa : fb;
        int res;
        switch (o.op) {
            case Alu.NONE -> { res = r; logic(res); }
            case Alu.NOT -> { res = ~r; logic(res); }
            case Alu.AND -> { res = l & r; logic(res); }
            case Alu.AND_NOT_A -> { res = ~l & r; logic(res); }
            case Alu.AND_NOT_B -> { res = l & ~r; logic(res); }
            case Alu.OR -> { res = l | r; logic(res); }
            case Alu.XOR -> { res = l ^ r; logic(res); }
            case Alu.ADD -> res = add(l, r, 0);
            case Alu.ADD_2B -> res = add(l, r & 0xffff, 0);
            case Alu.ADD_C -> res = add(l, r, c ? 1 : 0);
            case Alu.SUB -> res = add(l, ~r, 1);
            case Alu.SUB_C -> res = add(l, ~r, c ? 1 : 0);
            default -> throw new SimFault("ALU op " + o.op);
        }
        write(o.dst, res);
        prevResult = res;
        prevA = fa;
    }

    private void logic(int res) {
        z = res == 0;
        n = res < 0;
        c = false;
        v = false;
    }

    /** l + r + carry with the flags (subtraction is l + ~r + 1: carry set means no borrow). */
    private int add(int l, int r, int carry) {
        long sum = (l & 0xffffffffL) + (r & 0xffffffffL) + carry;
        int res = (int) sum;
        z = res == 0;
        n = res < 0;
        c = (sum >>> 32) != 0;
        v = ((l ^ res) & (r ^ res)) < 0;
        return res;
    }

    private void shf(Op o) {
        int fa = read(o.a), fb = read(o.b);
        int l = o.swap ? fb : fa, r = o.swap ? fa : fb;
        boolean indirect = o.shift == 0 && o.sc != 0;
        int amt = indirect ? prevA & 0x3f : o.shift;
        int s;
        switch (o.sc) {
            case 0 -> s = Integer.rotateRight(r, amt);
            case 1 -> {
                amt &= 31;
                if (o.op == 6 && prevResult < 0) s = amt == 0 ? r : r >> amt | -1 << (32 - amt);
                else if (o.op == 6) s = r >>> amt;
                else s = r >>> amt;
            }
            case 2 -> s = r << (indirect ? amt & 31 : (32 - amt) & 31);
            default -> {
                if (indirect && amt >= 32) s = l; // shift by 32: see the class comment
                else {
                    amt &= 31;
                    s = amt == 0 ? r : r >>> amt | l << (32 - amt);
                }
            }
        }
        int res = switch (o.op) {
            case 2 -> l & s;
            case 5 -> l | s;
            default -> s;
        };
        write(o.dst, res);
        prevResult = res;
        prevA = fa;
    }

    private void ldField(Op o) {
        int fa = read(o.a), fb = read(o.b);
        int old = o.swap ? fb : fa, src = o.swap ? fa : fb;
        int s = switch (o.sc) {
            case 0 -> Integer.rotateRight(src, o.shift);
            case 1 -> src >>> o.shift;
            case 2 -> src << ((32 - o.shift) & 31);
            default -> throw new SimFault("ld_field with a double shift");
        };
        int bm = 0;
        for (int i = 0; i < 4; i++) if ((o.mask >>> i & 1) != 0) bm |= 0xff << 8 * i;
        int res = (o.zero ? 0 : old) & ~bm | s & bm;
        write(o.dst, res);
        prevResult = res;
        prevA = fa;
    }

    private void mul(Op o, int pc) {
        if (o.step == 4 || o.step == 5) {
            if (mulStep != 4 && !(o.step == 5 && mulStep == 5)) {
                throw new SimFault("multiply result at word " + pc + " before the four 32x32 steps");
            }
            long p = mulL * mulR;
            write(o.dst, o.step == 4 ? (int) p : (int) (p >>> 32));
            mulStep = 5;
            return;
        }
        int fa = read(o.a), fb = read(o.b);
        long l = (o.swap ? fb : fa) & 0xffffffffL, r = (o.swap ? fa : fb) & 0xffffffffL;
        if (o.type == 0) {
            mulL = l;
            mulR = r;
            mulStep = 0;
        } else {
            if (mulStep != o.step || l != mulL || r != mulR) throw new SimFault("multiply step " + (o.step + 1) + " at word " + pc + " out of sequence");
            mulStep++;
        }
    }

    // ---- local CSRs ----

    private void csrWrite(int csr, int value, int pc) {
        int idx = switch (csr) {
            case Fields.CSR_ACT_LM_ADDR0 -> 0;
            case Fields.CSR_ACT_LM_ADDR1 -> 1;
            case Fields.CSR_ACT_LM_ADDR2 -> 2;
            case Fields.CSR_ACT_LM_ADDR3 -> 3;
            default -> throw new SimFault("write to local CSR 0x" + Integer.toHexString(csr) + " at word " + pc + " is not modelled");
        };
        lmPending[idx] = value;
        // visible to the fourth instruction after this one
        if (lmDelay[idx] == 0) lmWrites++;
        lmDelay[idx] = 4;
    }

    private int csrRead(int csr, int pc) {
        return switch (csr) {
            case Fields.CSR_PSEUDO_RND_NUM -> random.nextInt();
            case Fields.CSR_ACT_LM_ADDR0 -> lmAddr[0];
            case Fields.CSR_ACT_LM_ADDR1 -> lmAddr[1];
            case Fields.CSR_ACT_LM_ADDR2 -> lmAddr[2];
            case Fields.CSR_ACT_LM_ADDR3 -> lmAddr[3];
            default -> throw new SimFault("read of local CSR 0x" + Integer.toHexString(csr) + " at word " + pc + " is not modelled");
        };
    }

    // ---- memory commands ----

    static final int READ8 = 0x143, WRITE8_SWAP = 0x242, READ32_SWAP = 0x25c, ADD = 0x047, ADD_IMM = 0x247;

    private void cmd(Op o) {
        long addr;
        int ra = read(o.a), rb = read(o.b);
        addr = switch (o.mode) {
            case 4 -> (ra + rb) & 0xffffffffL;
            case 1 -> (rb & 0xffL) << 32 | (ra & 0xffffffffL);
            default -> (ra & 0xffL) << 32 | (rb & 0xffffffffL);
        };
        int defer = o.ctx == 1 ? 1 : o.ctx == 2 ? 2 : 0;
        if (defer > 0) {
            if (cmdPending != null) throw new SimFault("command while another waits for its defer slots");
            cmdPending = o;
            cmdAddr = addr;
            // tick() runs after this instruction too: one more for the slots
            cmdDelay = defer + 1;
            return;
        }
        command(o, addr);
    }

    private void command(Op o, long addr) {
        boolean packet = o.mode == 4;
        cycles += packet ? CTM_CYCLES : DRAM_CYCLES;
        switch (o.op) {
            case READ8 -> {
                int len = o.count + 1;
                int at = offset(addr, len, packet);
                byte[] mem = packet ? ctm : dram;
                for (int i = 0; i < (len + 3) / 4; i++) {
                    int w = 0;
                    for (int k = 0; k < 4; k++) w = w << 8 | (4 * i + k < len ? mem[at + 4 * i + k] & 0xff : 0);
                    xferIn[o.xfer + i] = w;
                }
            }
            case READ32_SWAP -> {
                int words = o.count + 1;
                int at = offset(addr, 4 * words, packet);
                byte[] mem = packet ? ctm : dram;
                for (int i = 0; i < words; i++) xferIn[o.xfer + i] = le32(mem, at + 4 * i);
            }
            case WRITE8_SWAP -> {
                int len = o.count + 1;
                int at = offset(addr, len, packet);
                byte[] mem = packet ? ctm : dram;
                for (int k = 0; k < len; k++) mem[at + k] = (byte) (xferOut[o.xfer + k / 4] >>> 8 * (k % 4));
            }
            case ADD, ADD_IMM -> {
                if (packet) throw new SimFault("atomic add to packet memory 0x" + Long.toHexString(addr));
                long addend;
                boolean wide;
                if (o.op == ADD_IMM) {
                    if (!o.indirect || (prevResult & 0x38) >>> 3 != 2 || (prevResult & 0x80) == 0) {
                        throw new SimFault("atomic_add_imm without the previous-ALU data and length overrides");
                    }
                    addend = prevResult >>> 16;
                    wide = (prevResult >>> 8 & 0x1f & 4) != 0;
                } else {
                    wide = o.count == 4;
                    if (o.count != 0 && !wide) throw new SimFault("atomic add of count " + o.count);
                    addend = xferOut[o.xfer] & 0xffffffffL;
                    if (wide) addend |= (long) xferOut[o.xfer + 1] << 32;
                }
                int at = offset(addr, wide ? 8 : 4, false);
                if (wide) {
                    long old = le32(dram, at) & 0xffffffffL | (long) le32(dram, at + 4) << 32;
                    long s = old + addend;
                    put32(dram, at, (int) s);
                    put32(dram, at + 4, (int) (s >>> 32));
                } else {
                    put32(dram, at, le32(dram, at) + (int) addend);
                }
            }
            default -> throw new SimFault("memory command 0x" + Integer.toHexString(o.op) + " is not modelled");
        }
    }

    private int offset(long addr, int len, boolean packet) {
        long base = packet ? ctmBase & 0xffffffffL : dramBase;
        int size = packet ? ctm.length : dram.length;
        long off = addr - base;
        if (off < 0 || off + len > size) {
            throw new SimFault(String.format("%s access of %d bytes at 0x%x outside 0x%x..0x%x", packet ? "packet memory" : "DRAM",
                    len, addr, base, base + size));
        }
        return (int) off;
    }

    static int le32(byte[] m, int at) {
        return m[at] & 0xff | (m[at + 1] & 0xff) << 8 | (m[at + 2] & 0xff) << 16 | (m[at + 3] & 0xff) << 24;
    }

    static void put32(byte[] m, int at, int v) {
        m[at] = (byte) v;
        m[at + 1] = (byte) (v >>> 8);
        m[at + 2] = (byte) (v >>> 16);
        m[at + 3] = (byte) (v >>> 24);
    }
}
