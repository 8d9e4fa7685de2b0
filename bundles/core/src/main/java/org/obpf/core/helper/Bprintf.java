package org.obpf.core.helper;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;

/**
 * The format subset of the kernel's {@code bpf_bprintf_prepare} ({@code kernel/bpf/helpers.c}),
 * shared by {@code bpf_trace_printk} and {@code bpf_snprintf}: conversions {@code %d %i %u %x %X
 * %c %s %p %px %pK %%}, lengths {@code l} and {@code ll} (without one, integers are 32-bit, as in
 * C), flags {@code 0 - + space}, a width and a precision. {@code %s} reads a NUL-terminated
 * string from memory the run may touch, at most {@link #MAX_STR} bytes; an unreadable one prints
 * as the empty string, as the kernel's {@code strncpy_from_kernel_nofault} failure does.
 */
final class Bprintf {
    private Bprintf() {}

    static final int MAX_STR = 1024;

    /** Thrown for a format the kernel refuses (the helper returns -EINVAL). */
    static final class BadFormat extends Exception {
        private static final long serialVersionUID = 1L;

        BadFormat(String message) {
            super(message, null, false, false);
        }
    }

    /** Formats {@code fmt} (without its NUL) with at most {@code maxArgs} of {@code args}. */
    static String format(HelperContext c, String fmt, long[] args, int maxArgs) throws BadFormat {
        StringBuilder out = new StringBuilder();
        int arg = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char ch = fmt.charAt(i);
            if (ch != '%') {
                if (ch >= 0x80 || ch < 0x20 && !Character.isWhitespace(ch)) throw new BadFormat("non-printable character in format");
                out.append(ch);
                continue;
            }
            if (++i >= fmt.length()) throw new BadFormat("format ends in %");
            if (fmt.charAt(i) == '%') {
                out.append('%');
                continue;
            }
            boolean zero = false, left = false, plus = false, space = false;
            for (; i < fmt.length(); i++) {
                char f = fmt.charAt(i);
                if (f == '0') zero = true;
                else if (f == '-') left = true;
                else if (f == '+') plus = true;
                else if (f == ' ') space = true;
                else break;
            }
            int width = 0;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) width = width * 10 + (fmt.charAt(i++) - '0');
            int precision = -1;
            if (i < fmt.length() && fmt.charAt(i) == '.') {
                i++;
                precision = 0;
                while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) precision = precision * 10 + (fmt.charAt(i++) - '0');
            }
            int longs = 0;
            while (i < fmt.length() && fmt.charAt(i) == 'l') {
                longs++;
                i++;
            }
            if (longs > 2 || i >= fmt.length()) throw new BadFormat("invalid length modifier");
            char conv = fmt.charAt(i);
            if (arg >= maxArgs || arg >= args.length) throw new BadFormat("more conversions than arguments");
            long v = args[arg++];
            String body;
            boolean numeric = true;
            switch (conv) {
                case 'd', 'i' -> {
                    long x = longs == 0 ? (int) v : v;
                    body = Long.toString(x);
                    if (x >= 0 && plus) body = "+" + body;
                    else if (x >= 0 && space) body = " " + body;
                }
                case 'u' -> body = longs == 0 ? Integer.toUnsignedString((int) v) : Long.toUnsignedString(v);
                case 'x' -> body = longs == 0 ? Integer.toHexString((int) v) : Long.toHexString(v);
                case 'X' -> body = (longs == 0 ? Integer.toHexString((int) v) : Long.toHexString(v)).toUpperCase();
                case 'c' -> {
                    if (longs != 0) throw new BadFormat("%c takes no length modifier");
                    body = String.valueOf((char) (v & 0xff));
                    numeric = false;
                }
                case 's' -> {
                    if (longs != 0) throw new BadFormat("%s takes no length modifier");
                    body = readString(c, v, precision >= 0 ? Math.min(precision, MAX_STR) : MAX_STR);
                    numeric = false;
                }
                case 'p' -> {
                    if (longs != 0) throw new BadFormat("%p takes no length modifier");
                    // %p, %pK and %px: the kernel hashes %p; OBPF has nothing to hide and prints the value
                    if (i + 1 < fmt.length() && (fmt.charAt(i + 1) == 'K' || fmt.charAt(i + 1) == 'x')) i++;
                    else if (i + 1 < fmt.length() && Character.isLetterOrDigit(fmt.charAt(i + 1))) {
                        throw new BadFormat("unsupported %p" + fmt.charAt(i + 1));
                    }
                    body = String.format("%016x", v);
                }
                default -> throw new BadFormat("unsupported conversion %" + conv);
            }
            if (numeric && precision >= 0 && conv != 'p') {
                String sign = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ") ? body.substring(0, 1) : "";
                String digits = body.substring(sign.length());
                while (digits.length() < precision) digits = "0" + digits;
                body = sign + digits;
            }
            if (body.length() < width) {
                int pad = width - body.length();
                if (left) {
                    body = body + " ".repeat(pad);
                } else if (zero && numeric && precision < 0) {
                    String sign = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ") ? body.substring(0, 1) : "";
                    body = sign + "0".repeat(pad) + body.substring(sign.length());
                } else {
                    body = " ".repeat(pad) + body;
                }
            }
            out.append(body);
        }
        return out.toString();
    }

    /** A NUL-terminated string at {@code address}, at most {@code max} bytes; "" if unreadable. */
    static String readString(HelperContext c, long address, int max) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < max; i++) {
            byte b;
            try {
                b = c.memory(address + i, 1, false).get(ValueLayout.JAVA_BYTE, 0);
            } catch (HelperException e) {
                return bytes.size() == 0 ? "" : bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            if (b == 0) break;
            bytes.write(b);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The format string: {@code size} bytes at {@code address}, which must hold a NUL. */
    static String formatString(HelperContext c, long address, long size) throws BadFormat {
        if (size <= 0) throw new BadFormat("empty format");
        MemorySegment m = c.memory(address, size, false);
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < size; i++) {
            byte b = m.get(ValueLayout.JAVA_BYTE, i);
            if (b == 0) return sb.toString();
            sb.append((char) (b & 0xff));
        }
        throw new BadFormat("format is not NUL-terminated");
    }
}
