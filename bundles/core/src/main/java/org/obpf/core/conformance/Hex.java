package org.obpf.core.conformance;

/** Base16 as the conformance runner writes it: hex digit pairs, white space anywhere ignored. */
public final class Hex {
    private Hex() {}

    public static byte[] bytes(CharSequence text) {
        StringBuilder digits = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) continue;
            if (Character.digit(c, 16) < 0) {
                throw new IllegalArgumentException("not a hex digit: '" + c + "' at position " + i);
            }
            digits.append(c);
        }
        if (digits.length() % 2 != 0) throw new IllegalArgumentException("odd number of hex digits: " + digits.length());
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (Character.digit(digits.charAt(2 * i), 16) << 4 | Character.digit(digits.charAt(2 * i + 1), 16));
        }
        return out;
    }

    /** Instruction words from bytes: 8 bytes per slot, little-endian. */
    public static long[] words(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException("program length " + bytes.length + " is not a multiple of 8 bytes");
        }
        long[] words = new long[bytes.length / 8];
        for (int i = 0; i < words.length; i++) {
            long w = 0;
            for (int b = 7; b >= 0; b--) w = w << 8 | (bytes[8 * i + b] & 0xffL);
            words[i] = w;
        }
        return words;
    }
}
