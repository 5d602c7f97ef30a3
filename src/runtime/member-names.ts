/**
 * Which remote names cannot be members of a generated client. Shared by the runtime's
 * `createClient` and the code generator, so both apply the same rule.
 */

/**
 * True for names that would collide with the client's own surface: names starting with `$`
 * (every control member starts with `$`) and `then` (it would make the client a thenable,
 * so `await`ing or returning it from an async function would call the remote method).
 */
export function isReservedMember(name: string): boolean {
  return name.startsWith("$") || name === "then";
}

/** Why {@link isReservedMember} refuses `name`, for warnings. */
export function reservedReason(name: string): string {
  return name === "then"
    ? "'then' would make the client a thenable"
    : "names starting with '$' are pyrogen's control members";
}
