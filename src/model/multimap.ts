// Append to a list kept under a key, in place: copying the list on every append made plans of
// 100,000 replicas quadratic.
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function pushAll<K, V>(map: Map<K, V[]>, key: K, values: readonly V[]): void {
  const list = map.get(key);
  if (list) for (const v of values) list.push(v);
  else map.set(key, [...values]);
}
