/**
 * The first 8 bytes of a classify model file, apart from the model's code so that
 * readers of other formats can name a classify model without loading it all.
 */
export const MODEL_MAGIC = 'WLCLSF02';
