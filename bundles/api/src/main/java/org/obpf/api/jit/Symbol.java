package org.obpf.api.jit;

import java.util.Objects;

/**
 * What a relocation refers to. Back-ends never know addresses: they name symbols, and
 * {@link JitBackend#link} binds them through a {@link SymbolTable}.
 *
 * @param kind  what sort of object
 * @param index map index in the program's map table, helper id, kfunc BTF id or sub-program
 *              index; 0 for {@link Kind#RUNTIME} and {@link Kind#IMAGE}
 * @param name  the runtime routine's name for {@link Kind#RUNTIME}; empty otherwise
 */
public record Symbol(Kind kind, int index, String name) {

    public enum Kind {
        /** The map object itself ({@code lddw rX, map} after replace_map_fd_with_map_ptr). */
        MAP,
        /** The first byte of an array map's value storage (direct value access, global data). */
        MAP_VALUE,
        /** A helper function, by the kernel's helper id. */
        HELPER,
        /** A kernel function called through BTF id. */
        KFUNC,
        /** The entry of a sub-program of this image, by sub-program index. */
        SUBPROG,
        /** A place in this image itself: resolves to the load address (for ISAs without PC-relative forms). */
        IMAGE,
        /** A named routine or object of the runtime that runs the code (tail-call table, exit outro, ...). */
        RUNTIME
    }

    public Symbol {
        Objects.requireNonNull(kind, "kind");
        name = name == null ? "" : name;
    }

    public static Symbol map(int index) { return new Symbol(Kind.MAP, index, ""); }
    public static Symbol mapValue(int index) { return new Symbol(Kind.MAP_VALUE, index, ""); }
    public static Symbol helper(int id) { return new Symbol(Kind.HELPER, id, ""); }
    public static Symbol kfunc(int btfId) { return new Symbol(Kind.KFUNC, btfId, ""); }
    public static Symbol subprog(int index) { return new Symbol(Kind.SUBPROG, index, ""); }
    public static Symbol image() { return new Symbol(Kind.IMAGE, 0, ""); }
    public static Symbol runtime(String name) { return new Symbol(Kind.RUNTIME, 0, Objects.requireNonNull(name)); }

    @Override
    public String toString() {
        return switch (kind) {
            case MAP -> "map#" + index;
            case MAP_VALUE -> "map_value#" + index;
            case HELPER -> "helper#" + index;
            case KFUNC -> "kfunc#" + index;
            case SUBPROG -> "subprog#" + index;
            case IMAGE -> "image";
            case RUNTIME -> name;
        };
    }
}
