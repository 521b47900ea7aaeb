// The last step of a lazy property: its accessor gives way to a plain data property (enumerable and
// writable, as the key would be on an object literal), so JSON and later reads see an ordinary value.
export function settle<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): T[K] {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}
