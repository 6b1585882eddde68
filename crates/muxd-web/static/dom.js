// Building elements, for every page and the uploader: one function, so they all treat attributes
// alike.

/** A `tag` element with `attrs` (those undefined, null or false are left out) and `children`. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
