package org.obpf.api.registry;

/**
 * What a pin path holds: a program or a map, by id.
 *
 * @param path the path it is pinned at
 * @param kind {@code prog} or {@code map}
 * @param id   the program's or map's id
 */
public record PinnedObject(String path, String kind, int id) {}
