// svgcanvas ships no types: the part of its API the plot downloads use (lib/plot/exportImage.ts).
declare module 'svgcanvas' {
  export class Context {
    constructor(width: number, height: number);
    getSerializedSvg(fixNamedEntities?: boolean): string;
  }
}
