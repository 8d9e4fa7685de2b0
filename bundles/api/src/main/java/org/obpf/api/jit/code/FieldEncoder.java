package org.obpf.api.jit.code;

/**
 * Writes a resolved PC-relative displacement into an instruction field whose bits are not one
 * little-endian integer (RISC-V's scattered branch immediates, for instance).
 */
@FunctionalInterface
public interface FieldEncoder {
    /**
     * @param code         the buffer's bytes
     * @param at           the field's offset, as given to {@link CodeBuffer#fixup(Label, int, int, FieldEncoder)}
     * @param displacement target minus the fix-up's PC base
     * @return false if the displacement does not fit the field
     */
    boolean encode(byte[] code, int at, long displacement);
}
