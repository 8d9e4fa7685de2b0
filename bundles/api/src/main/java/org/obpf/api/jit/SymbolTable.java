package org.obpf.api.jit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The addresses {@link JitBackend#link} binds: where the code will be loaded, and the address of
 * every symbol the image refers to. Built by whoever owns the memory: core for the host, a device
 * for static offload, the device's loader for dynamic offload.
 */
public final class SymbolTable {
    private final long loadAddress;
    private final Map<Symbol, Long> addresses;

    private SymbolTable(long loadAddress, Map<Symbol, Long> addresses) {
        this.loadAddress = loadAddress;
        this.addresses = Map.copyOf(addresses);
    }

    public static Builder at(long loadAddress) {
        return new Builder(loadAddress);
    }

    /** The address of the first byte of the code once loaded. */
    public long loadAddress() {
        return loadAddress;
    }

    /** The symbol's address; {@link Symbol.Kind#IMAGE} is the load address. */
    public OptionalLong resolve(Symbol symbol) {
        if (symbol.kind() == Symbol.Kind.IMAGE) return OptionalLong.of(loadAddress);
        Long a = addresses.get(symbol);
        return a == null ? OptionalLong.empty() : OptionalLong.of(a);
    }

    public Map<Symbol, Long> addresses() {
        return addresses;
    }

    public static final class Builder {
        private final long loadAddress;
        private final Map<Symbol, Long> addresses = new LinkedHashMap<>();

        private Builder(long loadAddress) {
            this.loadAddress = loadAddress;
        }

        public Builder bind(Symbol symbol, long address) {
            Objects.requireNonNull(symbol, "symbol");
            addresses.put(symbol, address);
            return this;
        }

        public SymbolTable build() {
            return new SymbolTable(loadAddress, addresses);
        }
    }
}
