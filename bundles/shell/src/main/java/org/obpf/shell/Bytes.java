package org.obpf.shell;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Set;

/**
 * Keys and values as users type them: hex bytes ({@code 0a 00 00 00}, {@code 0x0a}, or one run of
 * digits {@code 0a000000}), or typed little-endian numbers ({@code u32 5}, {@code u64 0x10},
 * {@code s16 -1}); pieces concatenate ({@code u32 1 u32 2} is 8 bytes).
 */
final class Bytes {
    private Bytes() {}

    private static final Set<String> TYPES = Set.of("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "i8", "i16", "i32", "i64");

    /** Reads words up to (not including) one of {@code stops} or the end. */
    static byte[] read(Words w, String what, Set<String> stops) {
        ByteBuffer out = ByteBuffer.allocate(65536).order(ByteOrder.LITTLE_ENDIAN);
        int pieces = 0;
        while (w.more() && !stops.contains(w.peek())) {
            String t = w.next(what);
            pieces++;
            if (t.equals("hex")) continue;
            if (TYPES.contains(t)) {
                int bits = Integer.parseInt(t.substring(1));
                String n = w.next(what + " value after " + t);
                long v;
                if (t.startsWith("u") && !n.startsWith("-")) {
                    try {
                        v = n.startsWith("0x") ? Long.parseUnsignedLong(n.substring(2), 16) : Long.parseUnsignedLong(n);
                    } catch (NumberFormatException e) {
                        throw w.fail(what + ": '" + n + "' is not a " + t);
                    }
                    if (bits < 64 && Long.compareUnsigned(v, (1L << bits) - 1) > 0) throw w.fail(what + ": " + n + " does not fit " + t);
                } else {
                    v = w.number(n, what);
                    if (bits < 64 && (v < -(1L << (bits - 1)) || v > (1L << bits) - 1)) throw w.fail(what + ": " + n + " does not fit " + t);
                }
                switch (bits) {
                    case 8 -> out.put((byte) v);
                    case 16 -> out.putShort((short) v);
                    case 32 -> out.putInt((int) v);
                    default -> out.putLong(v);
                }
                continue;
            }
            String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
            if (digits.isEmpty() || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw w.fail(what + ": '" + t + "' is neither hex bytes nor a type (u8 u16 u32 u64 s8 s16 s32 s64)");
            }
            if (digits.length() % 2 != 0) {
                if (digits.length() == 1) digits = "0" + digits;
                else throw w.fail(what + ": '" + t + "' has an odd number of hex digits");
            }
            out.put(HexFormat.of().parseHex(digits));
        }
        if (pieces == 0) throw w.fail("missing " + what);
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }

    static String hex(byte[] b) {
        return b == null ? "" : HexFormat.ofDelimiter(" ").formatHex(b);
    }

    /** The value as an unsigned little-endian number when it is 1, 2, 4 or 8 bytes, else "". */
    static String number(byte[] b) {
        if (b == null) return "";
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return switch (b.length) {
            case 1 -> Integer.toString(b[0] & 0xff);
            case 2 -> Integer.toString(bb.getShort() & 0xffff);
            case 4 -> Integer.toUnsignedString(bb.getInt());
            case 8 -> Long.toUnsignedString(bb.getLong());
            default -> "";
        };
    }
}
