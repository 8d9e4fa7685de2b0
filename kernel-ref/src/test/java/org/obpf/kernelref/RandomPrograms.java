package org.obpf.kernelref;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/**
 * A seeded generator of small BPF programs for differential verification: straight-line and
 * branching code, stack stores and loads (uninitialised reads included), map lookups with and
 * without null checks, packet reads with and without {@code data_end} checks, context reads and
 * writes, pointer arithmetic (allowed and not), helper calls with right and wrong argument types,
 * ring buffer references released or leaked, bounded and unbounded loops, LD_ABS, bpf-to-bpf
 * calls. Each hazard is unsafe with a small probability, so both verdicts are common. The same
 * seed gives the same programs.
 *
 * <p>Registers: r6 holds the context, r7/r8 the packet start and end once a packet snippet loaded
 * them, r9 a loop counter; r0-r5 are scratch (and clobbered by calls).
 */
final class RandomPrograms {
    /** The maps every program may name: lddw src 1 with imm 0, 1 or 2. */
    static final List<MapSpec> MAPS = List.of(
            new MapSpec("rnd_array", MapType.ARRAY, 4, 16, 4, 0),
            new MapSpec("rnd_hash", MapType.HASH, 8, 16, 32, 0),
            new MapSpec("rnd_ringbuf", MapType.RINGBUF, 0, 0, 4096, 0));
    static final int ARRAY = 0, HASH = 1, RINGBUF = 2;
    static final ProgramType[] TYPES = {ProgramType.XDP, ProgramType.SOCKET_FILTER, ProgramType.SCHED_CLS};

    /** One generated program; {@code recipe} lists the snippets, for reading a disagreement. */
    record Generated(int index, ProgramType type, long[] insns, String recipe) {}

    private final Random rnd;
    private ProgramType type;
    private final List<Long> code = new ArrayList<>();
    private final List<int[]> fixups = new ArrayList<>(); // {pc, label, kind: 0 jump, 1 call}
    private final List<Integer> labels = new ArrayList<>();
    private final List<int[]> pending = new ArrayList<>(); // {label, snippets until placed}
    private final StringBuilder recipe = new StringBuilder();
    private boolean pktLoaded;
    /** Registers (probably) written on the way here: sources come mostly from these. */
    private int init;
    private int subprogLabel = -1;
    private int index;

    RandomPrograms(long seed) {
        rnd = new Random(seed);
    }

    Generated next() {
        type = TYPES[rnd.nextInt(TYPES.length)];
        code.clear();
        fixups.clear();
        labels.clear();
        pending.clear();
        recipe.setLength(0);
        pktLoaded = false;
        subprogLabel = -1;
        init = 1 << 1 | 1 << 10;
        movReg(6, 1);
        for (int r = 0; r <= 5; r++) {
            if (r != 1 && chance(0.85)) movImm(r, rnd.nextInt(64));
        }
        if (chance(0.6)) movImm(9, rnd.nextInt(64));
        int snippets = 2 + rnd.nextInt(10);
        for (int i = 0; i < snippets; i++) {
            snippet();
            for (int j = pending.size() - 1; j >= 0; j--) {
                if (--pending.get(j)[1] <= 0) place(pending.remove(j)[0]);
            }
        }
        for (int[] p : pending) place(p[0]);
        pending.clear();
        epilogue();
        if (subprogLabel >= 0) subprogram();
        long[] out = new long[code.size()];
        for (int i = 0; i < out.length; i++) out[i] = code.get(i);
        for (int[] f : fixups) {
            int target = labels.get(f[1]);
            if (f[2] == 0) out[f[0]] = (out[f[0]] & ~0xffff0000L) | ((long) ((target - f[0] - 1) & 0xffff) << 16);
            else out[f[0]] = Insn.withImm(out[f[0]], target - f[0] - 1);
        }
        return new Generated(index++, type, out, recipe.toString().strip());
    }

    // ------------------------------------------------------------------ encoding

    private void emit(int code, int dst, int src, int off, int imm) {
        this.code.add(Insn.encode(code, dst, src, off, imm));
        int cls = code & 7;
        if (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX || code == (BPF_LD | BPF_IMM | BPF_DW)) init |= 1 << dst;
        else if (code == (BPF_JMP | BPF_CALL) || cls == BPF_LD) init = (init & ~0x3e) | 1;
    }

    private void movReg(int dst, int src) {
        emit(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
    }

    private void movImm(int dst, int imm) {
        emit(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
    }

    private void addImm(int dst, int imm) {
        emit(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
    }

    private void ldMap(int dst, int map) {
        emit(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, map);
        code.add(0L);
    }

    private void call(int helper) {
        emit(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
    }

    private void ldx(int size, int dst, int src, int off) {
        emit(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
    }

    private void stx(int size, int dst, int src, int off) {
        emit(BPF_STX | BPF_MEM | size, dst, src, off, 0);
    }

    private void st(int size, int dst, int off, int imm) {
        emit(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
    }

    private int newLabel() {
        labels.add(-1);
        return labels.size() - 1;
    }

    private void place(int label) {
        labels.set(label, code.size());
    }

    private void jmp(int cls, int op, int dst, boolean reg, int src, int imm, int label) {
        fixups.add(new int[] {code.size(), label, 0});
        emit(cls | op | (reg ? BPF_X : BPF_K), dst, reg ? src : 0, 0, imm);
    }

    private void ja(int label) {
        fixups.add(new int[] {code.size(), label, 0});
        emit(BPF_JMP | BPF_JA, 0, 0, 0, 0);
    }

    // ------------------------------------------------------------------ choices

    private boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    private int pick(int... v) {
        return v[rnd.nextInt(v.length)];
    }

    private static final int[] SIZES = {BPF_B, BPF_H, BPF_W, BPF_DW};
    private static final int[] SIZE_BYTES = {1, 2, 4, 8};

    private int sizeIdx() {
        return rnd.nextInt(4);
    }

    /** A scratch register, sometimes r9: a destination. */
    private int scratch() {
        return chance(0.1) ? 9 : rnd.nextInt(6);
    }

    /** A register read: one written before, rarely any. */
    private int src() {
        int written = init & 0b1000111111;
        if (written == 0 || chance(0.03)) return scratch();
        while (true) {
            int r = rnd.nextInt(10);
            if ((written & (1 << r)) != 0) return r;
        }
    }

    /** A stack offset for {@code bytes} bytes: aligned and in bounds, rarely not. */
    private int stackOff(int bytes) {
        if (chance(0.03)) return pick(0, 8, -520, -513);
        int off = -bytes * (1 + rnd.nextInt(Math.max(1, 64 / bytes)));
        if (chance(0.04)) off += pick(1, 2, 3);
        return off;
    }

    private void note(String s) {
        recipe.append(s).append(' ');
    }

    // ------------------------------------------------------------------ snippets

    private void snippet() {
        int k = rnd.nextInt(100);
        if (k < 14) alu();
        else if (k < 20) movConst();
        else if (k < 28) stackStore();
        else if (k < 34) stackLoad();
        else if (k < 46) mapLookup();
        else if (k < 56) packetRead();
        else if (k < 62) ctxAccess();
        else if (k < 66) pointerMath();
        else if (k < 74) helperCall();
        else if (k < 78) ringbuf();
        else if (k < 87) branch();
        else if (k < 92) loop();
        else if (k < 95) ldAbs();
        else if (k < 97) spillFill();
        else localCall();
    }

    private static final int[] ALU_OPS = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
            BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH};

    private void alu() {
        int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
        int cls = chance(0.7) ? BPF_ALU64 : BPF_ALU;
        int dst = op == BPF_MOV ? scratch() : src();
        note("alu" + (cls == BPF_ALU ? "32" : "") + ":" + Integer.toHexString(op) + ":r" + dst);
        if (op == BPF_NEG) {
            emit(cls | op, dst, 0, 0, 0);
        } else if (chance(0.4)) {
            emit(cls | op | BPF_X, dst, src(), 0, 0);
        } else {
            int imm;
            if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) imm = chance(0.05) ? pick(64, -1, 32) : rnd.nextInt(32);
            else if (op == BPF_DIV || op == BPF_MOD) imm = chance(0.05) ? 0 : 1 + rnd.nextInt(100);
            else imm = chance(0.5) ? rnd.nextInt(256) : rnd.nextInt();
            emit(cls | op, dst, 0, 0, imm);
        }
    }

    private void movConst() {
        int dst = scratch();
        note("mov:r" + dst);
        if (chance(0.2)) {
            long v = rnd.nextLong();
            emit(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int) v);
            code.add(Insn.encode(0, 0, 0, 0, (int) (v >>> 32)));
        } else {
            movImm(dst, chance(0.6) ? rnd.nextInt(64) : rnd.nextInt());
        }
    }

    private void stackStore() {
        int s = sizeIdx();
        int off = stackOff(SIZE_BYTES[s]);
        note("st" + SIZE_BYTES[s] + ":" + off);
        if (chance(0.5)) st(SIZES[s], 10, off, rnd.nextInt(1000));
        else stx(SIZES[s], 10, src(), off);
    }

    private void stackLoad() {
        int s = sizeIdx();
        int off = stackOff(SIZE_BYTES[s]);
        int dst = scratch();
        note("ld" + SIZE_BYTES[s] + ":" + off + ":r" + dst);
        ldx(SIZES[s], dst, 10, off);
    }

    /** r0 = lookup(map, key on the stack); null-checked or not; then an access to the value. */
    private void mapLookup() {
        int map = chance(0.5) ? ARRAY : HASH;
        int keySize = MAPS.get(map).keySize();
        int keyOff = -8 * (1 + rnd.nextInt(4));
        boolean writeKey = chance(0.9);
        if (writeKey) st(keySize == 8 ? BPF_DW : BPF_W, 10, keyOff, rnd.nextInt(4));
        movReg(2, 10);
        addImm(2, keyOff);
        if (chance(0.04)) movImm(2, 0); // a scalar key
        ldMap(1, chance(0.03) ? RINGBUF : map);
        call(1);
        boolean check = chance(0.85);
        int skip = newLabel();
        if (check) jmp(BPF_JMP, chance(0.8) ? BPF_JEQ : BPF_JNE, 0, false, 0, 0, skip);
        int s = sizeIdx();
        int off = chance(0.9) ? SIZE_BYTES[s] * rnd.nextInt(16 / SIZE_BYTES[s]) : pick(-4, 16, 12, 15);
        note("lookup:" + map + (writeKey ? "" : ":nokey") + (check ? ":checked" : ":unchecked") + ":" + off);
        if (chance(0.25)) {
            // a variable offset into the value
            ldx(BPF_B, 3, 0, 0);
            if (chance(0.8)) emit(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, pick(7, 3, 15, 31));
            emit(BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0);
            off = 0;
            s = chance(0.5) ? 0 : 2;
        }
        switch (rnd.nextInt(4)) {
            case 0 -> stx(SIZES[s], 0, src(), off);
            case 1 -> st(SIZES[s], 0, off, 7);
            case 2 -> {
                movImm(1, 1);
                emit(BPF_STX | BPF_ATOMIC | (s == 3 ? BPF_DW : BPF_W), 0, 1, off, BPF_ADD);
            }
            default -> ldx(SIZES[s], 4, 0, off);
        }
        if (chance(0.5)) movReg(9, 0);
        if (check && chance(0.3)) {
            // fall-through path continues with the value pointer; the null path rejoins later
            pending.add(new int[] {skip, 1 + rnd.nextInt(2)});
        } else {
            place(skip);
        }
    }

    private void loadPacketPointers() {
        if (pktLoaded && chance(0.8)) return;
        int dataOff = type == ProgramType.XDP ? 0 : 76;
        if (chance(0.03)) dataOff += 4;
        ldx(BPF_W, 7, 6, dataOff);
        ldx(BPF_W, 8, 6, type == ProgramType.XDP ? 4 : 80);
        pktLoaded = true;
    }

    /** A packet read, checked against data_end or not, at a fixed or variable offset. */
    private void packetRead() {
        if (type == ProgramType.SOCKET_FILTER && chance(0.9)) {
            ldAbs(); // socket filters read the packet through LD_ABS/LD_IND (direct access is refused)
            return;
        }
        loadPacketPointers();
        int n = pick(1, 2, 4, 8, 14, 20, 34);
        int s = sizeIdx();
        int off = chance(0.85) ? Math.max(0, n - SIZE_BYTES[s] - rnd.nextInt(4)) : n;
        boolean check = chance(0.85);
        boolean variable = chance(0.2);
        note("pkt:" + n + ":" + off + ":" + SIZE_BYTES[s] + (check ? ":checked" : ":unchecked") + (variable ? ":var" : ""));
        movReg(2, 7);
        if (variable) {
            // r2 = data + (first byte & mask): a variable offset, bounds-checked through r3
            int skip0 = newLabel();
            movReg(3, 7);
            addImm(3, 1);
            jmp(BPF_JMP, BPF_JGT, 3, true, 8, 0, skip0);
            ldx(BPF_B, 4, 7, 0);
            if (chance(0.85)) emit(BPF_ALU64 | BPF_AND | BPF_K, 4, 0, 0, pick(15, 63));
            emit(BPF_ALU64 | BPF_ADD | BPF_X, 2, 4, 0, 0);
            packetTail(n, off, s, check);
            place(skip0);
            return;
        }
        packetTail(n, off, s, check);
    }

    private void packetTail(int n, int off, int s, boolean check) {
        int skip = newLabel();
        movReg(3, 2);
        addImm(3, n);
        if (check) {
            switch (rnd.nextInt(4)) {
                case 0 -> jmp(BPF_JMP, BPF_JGT, 3, true, 8, 0, skip);
                case 1 -> jmp(BPF_JMP, BPF_JLT, 8, true, 3, 0, skip);
                case 2 -> jmp(BPF_JMP, BPF_JGE, 3, true, 8, 0, skip); // one byte stricter
                default -> {
                    if (chance(0.3)) jmp(BPF_JMP32, BPF_JGT, 3, true, 8, 0, skip); // 32-bit compare: no range
                    else jmp(BPF_JMP, BPF_JGT, 3, true, 8, 0, skip);
                }
            }
        }
        if (chance(0.8) || !CtxAccessWritable()) ldx(SIZES[s], 0, 2, off);
        else stx(SIZES[s], 2, src(), off);
        place(skip);
    }

    private boolean CtxAccessWritable() {
        return type != ProgramType.SOCKET_FILTER;
    }

    private static final int[] XDP_FIELDS = {0, 4, 8, 12, 16, 20, 24, 2, 28};
    private static final int[] SKB_FIELDS = {0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80,
            84, 88, 140, 144, 3, 200};

    private void ctxAccess() {
        if (chance(0.7)) {
            // fields every type of ours may read or write
            boolean xdp = type == ProgramType.XDP;
            if (xdp || chance(0.6)) {
                int off = xdp ? pick(12, 16) : pick(0, 4, 8, 16, 48, 52);
                note("ctxld-ok:" + off);
                ldx(BPF_W, scratch(), 6, off);
            } else {
                int off = type == ProgramType.SCHED_CLS ? pick(8, 32, 48, 56) : pick(48, 52, 60);
                note("ctxst-ok:" + off);
                stx(BPF_W, 6, src(), off);
            }
            return;
        }
        int[] fields = type == ProgramType.XDP ? XDP_FIELDS : SKB_FIELDS;
        int off = fields[rnd.nextInt(fields.length)];
        int size = chance(0.85) ? BPF_W : pick(BPF_B, BPF_H, BPF_DW);
        if (chance(0.75)) {
            note("ctxld:" + off);
            ldx(size, scratch(), 6, off);
        } else {
            note("ctxst:" + off);
            if (chance(0.8)) stx(size, 6, src(), off);
            else st(size, 6, off, 1);
        }
    }

    private void pointerMath() {
        switch (rnd.nextInt(7)) {
            case 0 -> { // bitwise op on a stack pointer
                note("ptr:and");
                movReg(2, 10);
                emit(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, -8);
                ldx(BPF_DW, 0, 2, -8);
            }
            case 1 -> { // modified ctx pointer
                note("ptr:ctx+4");
                movReg(2, 6);
                addImm(2, 4);
                ldx(BPF_W, 0, 2, 0);
            }
            case 2 -> { // variable stack offset
                note("ptr:stackvar");
                ldx(BPF_W, 3, 6, 0);
                emit(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, pick(0x38, 0x3f, 0x1f8));
                movReg(2, 10);
                addImm(2, -64);
                if (chance(0.5)) emit(BPF_ALU64 | BPF_SUB | BPF_X, 2, 3, 0, 0);
                else emit(BPF_ALU64 | BPF_ADD | BPF_X, 2, 3, 0, 0);
                if (chance(0.5)) ldx(BPF_DW, 0, 2, 0);
                else stx(BPF_DW, 2, 6, 0);
            }
            case 3 -> { // pointer + pointer, pointer - pointer
                note("ptr:ptrptr");
                movReg(2, 10);
                emit(BPF_ALU64 | (chance(0.5) ? BPF_ADD : BPF_SUB) | BPF_X, 2, 6, 0, 0);
            }
            case 4 -> { // 32-bit arithmetic on a pointer
                note("ptr:alu32");
                movReg(2, 10);
                emit(BPF_ALU | BPF_ADD | BPF_K, 2, 0, 0, -8);
                movReg(0, 2);
            }
            case 5 -> { // unbounded scalar added to a stack pointer
                note("ptr:unbounded");
                ldx(BPF_DW, 3, 10, -8);
                movReg(2, 10);
                emit(BPF_ALU64 | BPF_ADD | BPF_X, 2, 3, 0, 0);
            }
            default -> { // store of a pointer through the stack, fill and use
                note("ptr:fp-copy");
                movReg(3, 10);
                addImm(3, -16);
                st(BPF_DW, 3, 0, 5);
                ldx(BPF_DW, 0, 3, pick(0, 0, 8, -8));
            }
        }
    }

    private void helperCall() {
        switch (rnd.nextInt(8)) {
            case 0 -> {
                int h = pick(5, 7, 8, 125);
                note("call:" + h);
                call(h);
            }
            case 1 -> { // map_update_elem(map, key, value, flags)
                boolean right = chance(0.7);
                note("update:" + (right ? "ok" : "bad"));
                st(BPF_DW, 10, -8, 1);
                st(BPF_DW, 10, -24, 2);
                if (chance(0.85)) st(BPF_DW, 10, -16, 3);
                ldMap(1, HASH);
                movReg(2, 10);
                addImm(2, -8);
                movReg(3, 10);
                addImm(3, -24);
                movImm(4, 0);
                if (!right) {
                    switch (rnd.nextInt(4)) {
                        case 0 -> movImm(2, 8);
                        case 1 -> movReg(3, 6);
                        case 2 -> addImm(3, 16);
                        default -> movReg(1, 10);
                    }
                }
                call(2);
            }
            case 2 -> { // probe_read_kernel(dst, size, src)
                note("probe_read");
                movReg(1, 10);
                addImm(1, -16);
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> movImm(2, pick(8, 16, 0, 17));
                    case 2 -> {
                        ldx(BPF_W, 2, 6, 0);
                        emit(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, pick(15, 7, 31));
                    }
                    case 3 -> ldx(BPF_W, 2, 6, 0);
                    default -> movReg(2, 9);
                }
                movImm(3, 0);
                call(113);
            }
            case 3 -> { // trace_printk(fmt, size)
                note("printk");
                st(BPF_DW, 10, -8, 0x0a6968);
                movReg(1, 10);
                addImm(1, -8);
                movImm(2, pick(8, 4, 9, 0));
                call(6);
            }
            case 4 -> { // csum_diff(from, from_size, to, to_size, seed)
                note("csum_diff");
                st(BPF_DW, 10, -8, 1);
                movReg(1, 10);
                addImm(1, -8);
                movImm(2, pick(8, 8, 4, 6));
                movImm(3, 0);
                movImm(4, 0);
                movImm(5, 0);
                call(28);
            }
            case 5 -> { // helpers of other program types
                int h = pick(26, 44, 14, 9, 51);
                note("call-other:" + h);
                movReg(1, 6);
                movImm(2, 0);
                movReg(3, 10);
                addImm(3, -8);
                st(BPF_DW, 10, -8, 0);
                movImm(4, 4);
                movImm(5, 0);
                call(h);
            }
            case 6 -> { // tail call
                note("tail_call");
                movReg(1, 6);
                ldMap(2, chance(0.8) ? ARRAY : HASH);
                movImm(3, 0);
                call(12);
            }
            default -> { // unknown helper / helper with uninitialised args
                note("call-raw");
                call(pick(1, 2, 3, 999, 131));
            }
        }
        if (chance(0.5)) movReg(9, 0);
    }

    /** bpf_ringbuf_reserve, null check, a write, then submit or discard (or a leak). */
    private void ringbuf() {
        ldMap(1, RINGBUF);
        int size = pick(8, 16, 8, 0);
        movImm(2, size);
        if (chance(0.05)) ldx(BPF_W, 2, 6, 0);
        movImm(3, 0);
        call(131);
        int end = newLabel();
        boolean check = chance(0.9);
        if (check) jmp(BPF_JMP, BPF_JEQ, 0, false, 0, 0, end);
        int off = chance(0.9) ? 0 : 8;
        st(BPF_DW, 0, off, 1);
        int release = rnd.nextInt(10);
        note("ringbuf:" + size + (check ? ":checked" : ":unchecked") + ":" + off + ":release" + release);
        if (release < 8) {
            movReg(1, 0);
            if (release == 7) addImm(1, 8);
            movImm(2, 0);
            call(release < 4 ? 132 : 133);
        }
        place(end);
    }

    private void branch() {
        int cls = chance(0.75) ? BPF_JMP : BPF_JMP32;
        int op = pick(BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET);
        int dst = chance(0.9) ? src() : pick(6, 7, 10);
        int label = newLabel();
        note("br" + (cls == BPF_JMP32 ? "32" : "") + ":" + Integer.toHexString(op) + ":r" + dst);
        if (chance(0.3)) jmp(cls, op, dst, true, src(), 0, label);
        else jmp(cls, op, dst, false, 0, chance(0.7) ? rnd.nextInt(16) : rnd.nextInt(), label);
        if (chance(0.1)) {
            // a diamond: the taken side does something else and jumps over
            int join = newLabel();
            alu();
            ja(join);
            place(label);
            stackStore();
            place(join);
            return;
        }
        pending.add(new int[] {label, 1 + rnd.nextInt(3)});
    }

    private void loop() {
        for (int[] p : pending) place(p[0]);
        pending.clear();
        int n = pick(3, 8, 20, 50);
        int kind = rnd.nextInt(10);
        note("loop:" + n + ":" + kind);
        int head = newLabel();
        movImm(9, 0);
        if (kind == 9) movImm(0, 0);
        place(head);
        // body: scratch arithmetic and stack traffic, r9 untouched (none for the loop without progress,
        // which both verifiers find at once; with a changing body it would run to the 1M limit)
        int body = kind == 7 ? 0 : 1 + rnd.nextInt(2);
        for (int i = 0; i < body; i++) {
            if (chance(0.5)) {
                int dst = rnd.nextInt(6);
                emit(BPF_ALU64 | pick(BPF_ADD, BPF_XOR, BPF_MOV) | BPF_K, dst, 0, 0, rnd.nextInt(100));
            } else {
                stx(BPF_DW, 10, 9, -8 * (1 + rnd.nextInt(4)));
            }
        }
        switch (kind) {
            case 7 -> jmp(BPF_JMP, BPF_JLT, 9, false, 0, n, head); // no progress: an infinite loop
            case 8 -> { // a bound read from the context, masked: at most 15 iterations
                addImm(9, 1);
                ldx(BPF_W, 2, 6, 0);
                emit(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 15);
                jmp(BPF_JMP, BPF_JLT, 9, true, 2, 0, head);
            }
            case 9 -> { // r0 accumulates, r9 counts down
                addImm(0, 3);
                addImm(9, 1);
                jmp(BPF_JMP32, BPF_JLT, 9, false, 0, n, head);
            }
            default -> {
                addImm(9, 1);
                jmp(BPF_JMP, BPF_JLT, 9, false, 0, n, head);
            }
        }
    }

    private void ldAbs() {
        if (type != ProgramType.SOCKET_FILTER && chance(0.7)) {
            packetRead();
            return;
        }
        int size = pick(BPF_B, BPF_H, BPF_W);
        if (chance(0.1)) movImm(6, 0); // r6 no longer the context
        if (chance(0.7)) {
            note("ldabs");
            emit(BPF_LD | BPF_ABS | size, 0, 0, 0, rnd.nextInt(64));
        } else {
            note("ldind");
            emit(BPF_LD | BPF_IND | size, 0, src(), 0, rnd.nextInt(16));
        }
        if (chance(0.5)) movReg(9, 0);
    }

    private void spillFill() {
        int off = -8 * (1 + rnd.nextInt(8));
        int reg = pktLoaded ? pick(6, 7, 10, 0) : pick(6, 10, 0);
        note("spill:r" + reg + ":" + off);
        stx(BPF_DW, 10, reg, off);
        int dst = rnd.nextInt(6);
        ldx(chance(0.85) ? BPF_DW : BPF_W, dst, 10, off);
        if (chance(0.5)) ldx(BPF_W, 0, dst, 0);
    }

    /** A call of a sub-program appended after the main program; r1 a stack pointer or a scalar. */
    private void localCall() {
        if (subprogLabel < 0) subprogLabel = newLabel();
        note("call-local");
        st(BPF_DW, 10, -8, 3);
        movReg(1, 10);
        addImm(1, -8);
        if (chance(0.2)) movImm(1, 4);
        fixups.add(new int[] {code.size(), subprogLabel, 1});
        emit(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
        if (chance(0.5)) movReg(9, 0);
    }

    private void subprogram() {
        place(subprogLabel);
        note("| sub");
        switch (rnd.nextInt(4)) {
            case 0 -> {
                ldx(BPF_DW, 0, 1, 0); // reads the caller's stack through r1
                addImm(0, 1);
            }
            case 1 -> {
                movReg(0, 1); // returns what it was given: maybe a pointer into the caller's stack
            }
            case 2 -> {
                st(BPF_DW, 10, -16, 1);
                ldx(BPF_DW, 0, 10, -16);
            }
            default -> {
                movImm(0, 0);
                stx(BPF_DW, 1, 0, 0); // writes the caller's stack
            }
        }
        emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }

    private void epilogue() {
        switch (rnd.nextInt(10)) {
            case 0 -> note("ret-r0"); // whatever r0 holds (maybe nothing)
            case 1 -> {
                note("ret-ptr");
                movReg(0, 10);
            }
            case 2 -> {
                note("ret-big");
                movImm(0, -1);
            }
            default -> movImm(0, rnd.nextInt(4));
        }
        emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
}
