package org.obpf.api.jit.code;

/**
 * A position in a {@link CodeBuffer}, bound once with {@link CodeBuffer#bind}. Branches may refer
 * to it before it is bound: the buffer keeps a fix-up and patches the field when it binds. Labels
 * belong to the buffer (the pass) that created them; their ids follow creation order, which is
 * how the convergence passes recognise the same label from one pass to the next.
 */
public final class Label {
    final CodeBuffer owner;
    final int id;

    Label(CodeBuffer owner, int id) {
        this.owner = owner;
        this.id = id;
    }

    /** Creation index in its buffer. */
    public int id() {
        return id;
    }

    @Override
    public String toString() {
        return "L" + id;
    }
}
