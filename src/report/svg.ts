/**
 * Renders a Vega-Lite spec to SVG inside Node (no browser, no canvas) and
 * rasterises SVG to PNG with resvg. Rendering on the server keeps the HTML
 * report free of JavaScript libraries: the page is just markup and opens
 * the same from disk in any browser.
 */
import { existsSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Where Debian, Ubuntu and Fedora put DejaVu Sans, the family the charts name first. */
const dejavuDirs = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/TTF',
];

let fontOptions: ResvgRenderOptions['font'] | undefined;

/**
 * The charts name DejaVu Sans first. Loading exactly that family (two
 * weights) makes every PNG use the same glyphs whatever else is installed,
 * and saves the scan of all system fonts (~10% of a PNG's time here);
 * without DejaVu, fall back to the system fonts.
 */
function fonts(): ResvgRenderOptions['font'] {
  if (fontOptions) return fontOptions;
  for (const dir of dejavuDirs) {
    const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => `${dir}/${name}`);
    if (files.every((file) => existsSync(file))) {
      fontOptions = {
        loadSystemFonts: false,
        fontFiles: files,
        defaultFontFamily: 'DejaVu Sans',
        sansSerifFamily: 'DejaVu Sans',
      };
      return fontOptions;
    }
  }
  fontOptions = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  return fontOptions;
}

/** PNG of an SVG at `scale`x its size (2 = crisp on high-density screens and in papers). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: fonts() });
  return resvg.render().asPng();
}
