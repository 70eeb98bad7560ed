// Is WebGL drawn by the CPU? A village office PC often has no usable graphics driver: Chromium
// then renders WebGL with SwiftShader (Windows without a driver: "Microsoft Basic Render Driver";
// Linux: Mesa's llvmpipe). Measured with scripts/bench/frontend.py in SwiftShader, terrain is
// about nine tenths of what the 3D view costs to settle (every layer is drawn again into textures
// draped over a 3D mesh), so such a machine gets 3D without terrain unless the user turns it on.
import type { Map as MlMap } from "maplibre-gl";

const SOFTWARE = /swiftshader|llvmpipe|softpipe|basic render|software|lavapipe/i;

/** The WebGL renderer's name, as the browser reports it ("" if it does not say). */
export function rendererName(map: MlMap): string {
  const canvas = map.getCanvas();
  const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext | null;
  if (!gl) return "";
  const ext = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "");
}

export function isSoftwareRenderer(map: MlMap): boolean {
  return SOFTWARE.test(rendererName(map));
}
