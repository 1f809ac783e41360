/** The drag-and-drop type that carries a block id from the block menu to the canvas. */
export const DRAG_TYPE = "application/x-blockyard-block";
