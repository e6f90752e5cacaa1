/** English strings for this area of the tab: plain text, or a function where the sentence takes values. */
export const firmPagesEn = {};
